"""Demo providers behind the gateway: a national population database and a business registration database.

They are small real HTTP services (aiohttp) so `govhub demo` shows a request going through the gateway end to
end. Every answer is synthetic but deterministic: the same number always gives the same person or enterprise.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

NATIONAL_ID = re.compile(r"^[0-9]{12}$")
TAX_CODE = re.compile(r"^[0-9]{10}$")

FAMILY = ["Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
          "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Cao"]  # fmt: skip
MIDDLE = {
    "Nam": ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân", "Trọng", "Anh", "Quốc"],
    "Nữ": ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Thúy", "Khánh", "Bảo", "Mai"],
}
GIVEN = {
    "Nam": ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khoa",
            "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Trung", "Tuấn",
            "Việt", "Vinh"],
    "Nữ": ["Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Mai",
           "My", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Uyên", "Vy", "Yến"],
}  # fmt: skip
# Real communes of the 34-province structure (valid from 1 July 2025), with the CCCD/tax province prefixes.
COMMUNES: dict[str, list[str]] = {
    "Thành phố Hà Nội": ["Phường Ba Đình", "Phường Ngọc Hà", "Phường Hoàn Kiếm", "Phường Hồng Hà",
                         "Phường Tây Hồ", "Phường Cầu Giấy", "Phường Đống Đa", "Phường Hoàng Liệt",
                         "Xã Đại Xuyên"],
    "Tỉnh Quảng Ninh": ["Phường Bãi Cháy", "Phường Hạ Long", "Phường Móng Cái 1", "Xã Quảng Đức"],
    "Thành phố Hải Phòng": ["Phường Hồng Bàng", "Phường Lê Chân", "Phường Đông Hải"],
    "Tỉnh Thanh Hóa": ["Phường Hạc Thành", "Xã Xuân Thái"],
    "Tỉnh Nghệ An": ["Phường Trường Vinh", "Phường Vinh Phú", "Xã Yên Trung"],
    "Thành phố Huế": ["Phường Thuận Hóa"],
    "Thành phố Đà Nẵng": ["Phường Hải Châu"],
    "Thành phố Hồ Chí Minh": ["Phường Sài Gòn", "Phường Bến Thành", "Phường Đông Hòa"],
    "Tỉnh Đồng Nai": ["Xã Trảng Bom"],
    "Thành phố Cần Thơ": ["Phường Ninh Kiều"],
}  # fmt: skip
CCCD_PROVINCE = {"001": "Thành phố Hà Nội", "022": "Tỉnh Quảng Ninh", "031": "Thành phố Hải Phòng",
                 "038": "Tỉnh Thanh Hóa", "040": "Tỉnh Nghệ An", "046": "Thành phố Huế",
                 "048": "Thành phố Đà Nẵng", "079": "Thành phố Hồ Chí Minh", "075": "Tỉnh Đồng Nai",
                 "092": "Thành phố Cần Thơ"}  # fmt: skip
TAX_PROVINCE = {"01": "Thành phố Hà Nội", "57": "Tỉnh Quảng Ninh", "02": "Thành phố Hải Phòng",
                "28": "Tỉnh Thanh Hóa", "29": "Tỉnh Nghệ An", "33": "Thành phố Huế", "04": "Thành phố Đà Nẵng",
                "03": "Thành phố Hồ Chí Minh", "36": "Tỉnh Đồng Nai", "18": "Thành phố Cần Thơ"}  # fmt: skip
STREETS = ["Trần Hưng Đạo", "Lê Lợi", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
           "Điện Biên Phủ", "Hùng Vương", "Phan Chu Trinh", "Nguyễn Du", "Bạch Đằng", "Lê Duẩn"]  # fmt: skip
# The demo citizen (govhub.demo.CITIZEN) signs in with this number, so a prefill shows the same person.
KNOWN_PEOPLE = {"001099012345": "Phạm Văn An"}
# The demo's enterprise organisation (govhub.demo.ORGANISATIONS), shown as what it is.
KNOWN_ENTERPRISES: dict[str, dict[str, Any]] = {
    "0100100079": {
        "name": "Tổng công ty Bưu điện Việt Nam (minh họa)",
        "enterprise_type": "state_owned",
        "enterprise_type_name": "Doanh nghiệp nhà nước",
        "main_business_line": {"vsic_code": "5310", "name": "Bưu chính"},
        "status": "active",
    }
}
COMPANY_FORMS = [("Công ty TNHH", "limited_liability"), ("Công ty Cổ phần", "joint_stock"),
                 ("Công ty TNHH Một thành viên", "single_member_llc"), ("Doanh nghiệp tư nhân", "private")]  # fmt: skip
COMPANY_WORDS = ["Thành Đạt", "Minh Phát", "Hòa Bình", "Sao Việt", "Phú Thịnh", "An Khang", "Hưng Thịnh",
                 "Đông Á", "Trường Sơn", "Hồng Hà", "Bạch Long", "Tân Tiến", "Việt Tín", "Kim Ngân"]  # fmt: skip
# (VSIC code, business line, the word a company in that line puts in its name)
LINES = [("4711", "Bán lẻ lương thực, thực phẩm trong cửa hàng kinh doanh tổng hợp", "Thương mại"),
         ("6201", "Lập trình máy vi tính", "Công nghệ"), ("4100", "Xây dựng nhà các loại", "Xây dựng"),
         ("5610", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động", "Dịch vụ Ăn uống"),
         ("4933", "Vận tải hàng hóa bằng đường bộ", "Vận tải"),
         ("1410", "May trang phục (trừ trang phục từ da lông thú)", "May mặc"),
         ("6810", "Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê",
          "Bất động sản"),
         ("4669", "Bán buôn chuyên doanh khác chưa được phân vào đâu", "Thương mại và Dịch vụ")]  # fmt: skip


class _Draw:
    """Deterministic choices from a number: the same input always draws the same values."""

    def __init__(self, seed: str) -> None:
        self.digest = hashlib.sha256(seed.encode()).digest()
        self.index = 0

    def int(self, upper: int) -> int:
        value = int.from_bytes(self.digest[self.index : self.index + 2], "big")
        self.index = (self.index + 2) % 30
        return value % upper

    def pick(self, items: list[Any]) -> Any:
        return items[self.int(len(items))]


def _address(draw: _Draw, province: str | None) -> str:
    province = province or draw.pick(sorted(COMMUNES))
    commune = draw.pick(COMMUNES[province])
    return f"Số {draw.int(180) + 1} đường {draw.pick(STREETS)}, {commune}, {province}"


def _birth(draw: _Draw, national_id: str) -> tuple[str, dt.date]:
    """CCCD digits 4–6: gender and century (0/1 born 19xx, 2/3 born 20xx), then the year's last two digits."""
    code = int(national_id[3])
    gender = "Nam" if code % 2 == 0 else "Nữ"
    # Codes of other centuries would mean nobody alive, so those numbers draw a plausible year instead.
    year = (1900 if code < 2 else 2000) + int(national_id[4:6]) if code <= 3 else 1950 + draw.int(55)
    born = dt.date(year, draw.int(12) + 1, draw.int(28) + 1)
    if born > dt.date.today():
        born = born.replace(year=born.year - 100)
    return gender, born


def person(national_id: str) -> dict[str, Any] | None:
    """The synthetic person for a well-formed 12-digit number, or None when nobody has it."""
    if national_id.endswith("9") and national_id not in KNOWN_PEOPLE:
        return None
    draw = _Draw("citizen:" + national_id)
    gender, born = _birth(draw, national_id)
    name = KNOWN_PEOPLE.get(national_id) or " ".join(
        (draw.pick(FAMILY), draw.pick(MIDDLE[gender]), draw.pick(GIVEN[gender]))
    )
    return {
        "national_id": national_id,
        "full_name": name,
        "date_of_birth": born.isoformat(),
        "gender": gender,
        "nationality": "Việt Nam",
        "permanent_address": _address(draw, CCCD_PROVINCE.get(national_id[:3])),
        "source": "Cơ sở dữ liệu quốc gia về dân cư (dữ liệu minh họa)",
    }


def enterprise(tax_code: str) -> dict[str, Any] | None:
    """The synthetic enterprise for a well-formed 10-digit code, or None when none is registered."""
    if tax_code.endswith("9") and tax_code not in KNOWN_ENTERPRISES:
        return None
    draw = _Draw("enterprise:" + tax_code)
    form, kind = draw.pick(COMPANY_FORMS)
    province = TAX_PROVINCE.get(tax_code[:2])
    line_code, line_name, line_word = draw.pick(LINES)
    name = f"{form} {line_word} {draw.pick(COMPANY_WORDS)}"
    gender = draw.pick(["Nam", "Nữ"])
    representative = " ".join((draw.pick(FAMILY), draw.pick(MIDDLE[gender]), draw.pick(GIVEN[gender])))
    registered = dt.date(2005 + draw.int(20), draw.int(12) + 1, draw.int(28) + 1)
    found = {
        "tax_code": tax_code,
        "name": name,
        "enterprise_type": kind,
        "enterprise_type_name": form,
        "registration_date": registered.isoformat(),
        "status": "active" if draw.int(10) else "suspended",
        "legal_representative": representative,
        "head_office_address": _address(draw, province),
        "charter_capital_vnd": (draw.int(500) + 1) * 100_000_000,
        "main_business_line": {"vsic_code": line_code, "name": line_name},
        "source": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp (dữ liệu minh họa)",
    }
    return found | KNOWN_ENTERPRISES.get(tax_code, {})


# --- HTTP -------------------------------------------------------------------------------------------------


def _problem(status: int, title: str, detail: str) -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return web.json_response(body, status=status, content_type="application/problem+json")


def _openapi(title: str, path: str, param: str, pattern: str, example: str, fields: list[str]) -> str:
    ok = {"type": "object", "required": fields, "properties": {f: {"type": "string"} for f in fields}}
    problem = {"content": {"application/problem+json": {"schema": {"type": "object"}}}}
    doc = {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": "Synthetic demo data (dữ liệu minh họa).",
        },
        "paths": {
            path: {
                "get": {
                    "operationId": f"get_{param}",
                    "parameters": [
                        {
                            "name": param,
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": pattern},
                            "example": example,
                        }
                    ],
                    "responses": {
                        "200": {"description": "Found", "content": {"application/json": {"schema": ok}}},
                        "400": {"description": "Malformed number", **problem},
                        "404": {"description": "Nobody is registered with this number", **problem},
                    },
                }
            }
        },
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


POPULATION_OPENAPI = _openapi(
    "Cơ sở dữ liệu quốc gia về dân cư (demo)",
    "/citizens/{national_id}",
    "national_id",
    NATIONAL_ID.pattern,
    "001099012345",
    ["national_id", "full_name", "date_of_birth", "gender", "permanent_address"],
)
BUSINESS_OPENAPI = _openapi(
    "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp (demo)",
    "/enterprises/{tax_code}",
    "tax_code",
    TAX_CODE.pattern,
    "0100100079",
    ["tax_code", "name", "enterprise_type", "registration_date", "status", "head_office_address"],
)
OPENAPI = {"citizens": POPULATION_OPENAPI, "enterprises": BUSINESS_OPENAPI}


def population_app() -> web.Application:
    async def citizen(request: web.Request) -> web.Response:
        number = request.match_info["national_id"]
        if not NATIONAL_ID.match(number):
            return _problem(400, "Malformed national ID", "The national ID number has exactly 12 digits.")
        found = person(number)
        if found is None:
            return _problem(404, "Unknown person", "No person is registered with this national ID number.")
        return web.json_response(found, dumps=lambda v: json.dumps(v, ensure_ascii=False))

    return _app("/citizens/{national_id}", citizen, POPULATION_OPENAPI)


def business_app() -> web.Application:
    async def company(request: web.Request) -> web.Response:
        code = request.match_info["tax_code"]
        if not TAX_CODE.match(code):
            return _problem(
                400, "Malformed tax code", "The enterprise code (tax code) has exactly 10 digits."
            )
        found = enterprise(code)
        if found is None:
            return _problem(404, "Unknown enterprise", "No enterprise is registered with this code.")
        return web.json_response(found, dumps=lambda v: json.dumps(v, ensure_ascii=False))

    return _app("/enterprises/{tax_code}", company, BUSINESS_OPENAPI)


def _app(path: str, handler: Any, openapi: str) -> web.Application:
    async def document(_request: web.Request) -> web.Response:
        return web.Response(text=openapi, content_type="application/json")

    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get(path, handler)
    app.router.add_get("/openapi.json", document)
    return app


@dataclass
class Providers:
    """Both demo providers, served on loopback by one background thread with its own event loop."""

    population_url: str = ""
    business_url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runners: list[web.AppRunner] = field(default_factory=list)

    def stop(self) -> None:
        """Closes the listening sockets and ends the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._cleanup(), loop)
            future.result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = self._thread = None

    async def _cleanup(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()


def start_providers(host: str = "127.0.0.1", population_port: int = 0, business_port: int = 0) -> Providers:
    """Port 0 lets the system choose a free port; the chosen URLs are in the result."""
    providers = Providers()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    async def serve(app: web.Application, port: int) -> str:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        providers._runners.append(runner)
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://{host}:{bound}"

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            providers.population_url = loop.run_until_complete(serve(population_app(), population_port))
            providers.business_url = loop.run_until_complete(serve(business_app(), business_port))
        except BaseException as exc:  # reported to the caller, which is waiting on `ready`
            failure.append(exc)
            ready.set()
            loop.run_until_complete(providers._cleanup())
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=run, name="govhub-demo-providers", daemon=True)
    providers._loop, providers._thread = loop, thread
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the demo providers did not start within 10 s")
    if failure:
        providers._loop = providers._thread = None
        raise RuntimeError(f"the demo providers could not start: {failure[0]}") from failure[0]
    return providers
