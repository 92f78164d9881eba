"""The services API: catalogue import with a per-row report, dossier steps over HTTP, prefill, attachments."""

from __future__ import annotations

import asyncio
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from govhub.core.auth.models import Role
from govhub.core.database import Database
from govhub.services import prefill
from govhub.services.prefill import GatewayTarget
from services_support import make_citizen, make_offer, new_national_id, population_server, sign_in

from conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def setup(world: World, loaded_database: Database):
    agency = world.organisation()
    return {
        "agency": agency,
        "admin": world.account(Role.SYSTEM_ADMIN),
        "operator": world.account(Role.OPERATOR, organisation_id=agency),
        "stranger": world.account(Role.OPERATOR),
        "offer": make_offer(loaded_database, agency_id=agency),
        "db": loaded_database,
    }


def _agency_code(client: TestClient, setup) -> str:
    return client.get(f"/api/v1/organisations/{setup['agency']}", headers=setup["admin"].headers).json()[
        "code"
    ]


def test_catalogue_import_reports_each_bad_row_and_keeps_the_good_ones(client: TestClient, setup):
    agency = _agency_code(client, setup)
    rows = [
        "code,name,sector,gov_level,time_limit,time_unit,paper_result,eligible_full_online,components,fees,agency_code,online_level,partial_reason",
        f"1.900001,Đăng ký khai sinh,Hộ tịch,commune,3,working_days,1,1,Tờ khai|1; CCCD|1,Lệ phí|0,{agency},4,",
        f"1.900002,Cấp phiếu lý lịch tư pháp,Lý lịch tư pháp,province,10,days,có,không,,Phí|200000,{agency},một phần,in_person_required",
        "1.900003,Thiếu đơn vị thời gian,Hộ tịch,commune,3,fortnights,1,1,,,,,",
        f"1.900004,Một phần không lý do,Hộ tịch,commune,3,days,1,1,,,{agency},partial,",
        "1.900005,Cơ quan không có,Hộ tịch,commune,3,days,maybe,1,,,NO.SUCH.ORG,full,",
        "1.900001,Trùng mã,Hộ tịch,commune,3,days,1,1,,,,,",
    ]
    response = client.post(
        "/api/v1/services/catalogue/import",
        headers=setup["admin"].headers,
        files={"file": ("catalogue.csv", "\n".join(rows).encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rows"] == 6 and report["failed"] == 4
    assert (
        report["procedures_created"] + report["procedures_updated"] == 2 and report["services_created"] == 2
    )
    errors = {e["row"]: e for e in report["errors"]}
    assert set(errors) == {4, 5, 6, 7}
    assert any("time_unit" in m for m in errors[4]["errors"])
    assert any("partial_reason" in m for m in errors[5]["errors"])
    assert any("NO.SUCH.ORG" in m for m in errors[6]["errors"]) and any(
        "yes/no" in m for m in errors[6]["errors"]
    )
    assert "twice" in errors[7]["errors"][0]
    listed = client.get(
        "/api/v1/services/public-services", params={"q": "1.90000", "agency_id": setup["agency"]}
    )
    levels = {s["online_level"]: s["legacy_level"] for s in listed.json()["items"]}
    assert levels == {"full": 4, "partial": 3}


def test_xlsx_export_reads_back_through_the_import(client: TestClient, setup):
    exported = client.get("/api/v1/services/catalogue/export", params={"format": "xlsx"})
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    response = client.post(
        "/api/v1/services/catalogue/import",
        headers=setup["admin"].headers,
        files={"file": ("catalogue.xlsx", exported.content, "application/octet-stream")},
    )
    report = response.json()
    assert report["failed"] == 0 and report["procedures_created"] == 0 and report["procedures_updated"] > 0
    book = Workbook()
    book.active.append(["nonsense"])
    buffer = io.BytesIO()
    book.save(buffer)
    bad = client.post(
        "/api/v1/services/catalogue/import",
        headers=setup["admin"].headers,
        files={"file": ("bad.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert (
        client.post(
            "/api/v1/services/catalogue/import",
            headers=setup["operator"].headers,
            files={"file": ("c.csv", b"code\n", "text/csv")},
        ).status_code
        == 403
    )


def test_dossier_over_http_citizen_and_officer(client: TestClient, setup):
    _citizen_id, national_id = make_citizen(setup["db"])
    csrf = sign_in(client, national_id)
    write = {"X-CSRF-Token": csrf}
    created = client.post(
        "/api/v1/services/dossiers",
        json={"public_service_id": setup["offer"], "submit": False},
        headers=write,
    )
    assert created.status_code == 201, created.text
    dossier = created.json()
    assert dossier["status"] == 0 and dossier["national_id"].endswith(national_id[-3:])
    assert national_id not in created.text
    did = dossier["id"]
    attach = client.post(
        f"/api/v1/services/dossiers/{did}/attachments",
        files={"file": ("to-khai.pdf", PDF, "application/pdf")},
        data={"component": "Tờ khai"},
        headers=write,
    )
    assert attach.status_code == 201, attach.text
    fake = client.post(
        f"/api/v1/services/dossiers/{did}/attachments",
        files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        headers=write,
    )
    assert fake.status_code == 415
    exe = client.post(
        f"/api/v1/services/dossiers/{did}/attachments",
        files={"file": ("a.exe", b"MZ", "application/x-msdownload")},
        headers=write,
    )
    assert exe.status_code == 415
    big = client.post(
        f"/api/v1/services/dossiers/{did}/attachments",
        files={"file": ("big.pdf", PDF + b"0" * 70_000, "application/pdf")},
        headers=write,
    )
    assert big.status_code == 413
    submitted = client.post(
        f"/api/v1/services/dossiers/{did}/actions", json={"action": "submit"}, headers=write
    )
    assert submitted.json()["status"] == 1 and submitted.json()["digitised"]
    # The citizen may not receive their own dossier; an illegal step is a 409 problem.
    assert (
        client.post(
            f"/api/v1/services/dossiers/{did}/actions", json={"action": "receive"}, headers=write
        ).status_code
        == 403
    )
    illegal = client.post(
        f"/api/v1/services/dossiers/{did}/actions",
        json={"action": "approve"},
        headers=setup["operator"].headers,
    )
    assert illegal.status_code == 409 and illegal.headers["content-type"] == "application/problem+json"
    assert "allowed: receive, refuse, withdraw" in illegal.json()["detail"]
    # An officer of another agency cannot see it at all.
    assert (
        client.get(f"/api/v1/services/dossiers/{did}", headers=setup["stranger"].headers).status_code == 404
    )
    for action in ("receive", "start"):
        step = client.post(
            f"/api/v1/services/dossiers/{did}/actions",
            json={"action": action},
            headers=setup["operator"].headers,
        )
        assert step.status_code == 200, step.text
    queue = client.get("/api/v1/services/dossiers", headers=setup["operator"].headers).json()
    assert did in [d["id"] for d in queue["items"]]
    approve = client.post(
        f"/api/v1/services/dossiers/{did}/actions",
        json={"action": "approve", "electronic_result": True, "result_code": "KQ-9"},
        headers=setup["operator"].headers,
    )
    assert approve.json()["status"] == 9 and approve.json()["timeliness"] in ("early", "on_time")
    tracking = client.get(f"/api/v1/services/tracking/{dossier['code']}")
    assert tracking.status_code == 200 and tracking.json()["status"] == 9
    assert "applicant" not in tracking.text and national_id not in tracking.text
    events = client.get(f"/api/v1/services/dossiers/{did}/events", headers=setup["operator"].headers).json()
    assert [e["action"] for e in events] == ["create", "submit", "receive", "start", "approve"]
    rated = client.post(f"/api/v1/services/dossiers/{did}/rating", json={"rating": 5}, headers=write)
    assert rated.status_code == 200 and rated.json()["rating"] == 5
    facts = client.get(
        "/api/v1/services/facts",
        params={
            "period": [
                dossier["created_at"][:7] if "created_at" in dossier else approve.json()["submitted_at"][:7]
            ],
            "agency_id": setup["agency"],
        },
        headers=setup["operator"].headers,
    )
    assert facts.status_code == 200
    rows = {(f["code"], f["agency_id"]): f for f in facts.json()["facts"]}
    assert rows[("ratings.satisfied", setup["agency"])]["numerator"] == 1
    assert rows[("dossiers.digitised", setup["agency"])]["denominator"] == 1


def test_dossier_codes_follow_the_configured_format(client: TestClient, setup):
    code = _agency_code(client, setup)
    one = client.post(
        "/api/v1/services/dossiers",
        json={"public_service_id": setup["offer"], "channel": 1, "applicant": {"full_name": "Lê Thị Bưu"}},
        headers=setup["operator"].headers,
    ).json()["code"]
    two = client.post(
        "/api/v1/services/dossiers",
        json={"public_service_id": setup["offer"], "channel": 3, "applicant": {"full_name": "Lê Thị Bưu"}},
        headers=setup["operator"].headers,
    ).json()["code"]
    assert one.startswith(f"{code}-") and len(one.split("-")[-2]) == 6
    assert int(two.rsplit("-", 1)[1]) == int(one.rsplit("-", 1)[1]) + 1
    bad = client.post(
        "/api/v1/services/rules",
        json={"effective_from": "2099-01-01", "source": "test", "dossier_code_format": "{nope}"},
        headers=setup["admin"].headers,
    )
    assert bad.status_code == 422
    for fmt in ("{agency}-{date:%y%m%d}", "FIXED-CODE", "{agency}-{seq:04d"):
        no_sequence = client.post(
            "/api/v1/services/rules",
            json={"effective_from": "2099-01-01", "source": "test", "dossier_code_format": fmt},
            headers=setup["admin"].headers,
        )
        assert no_sequence.status_code == 422, fmt


def _target(base_url: str, handler, **overrides) -> GatewayTarget:
    values = {
        "enabled": True,
        "base_url": base_url,
        "client_id": handler.client_id,
        "service_path": "VN/GOV/000.10.00.G01/POPULATION/citizens",
        "api_key": handler.api_key,
        "timeout_seconds": 0.5,
    }
    return GatewayTarget(**(values | overrides))


def test_prefill_through_a_real_loopback_provider():
    national_id = new_national_id()
    with population_server() as (base_url, handler):
        handler.people[national_id] = {
            "national_id": national_id,
            "full_name": "Trần Thị Dân Cư",
            "date_of_birth": "1990-05-17",
            "gender": "Nữ",
            "permanent_address": "Phường Hồng Hà, Hà Nội",
        }
        found = asyncio.run(
            prefill.lookup(
                _target(base_url, handler), national_id=national_id, user_id="citizen:7", issue="X-1"
            )
        )
        assert found.found and found.person["full_name"] == "Trần Thị Dân Cư"
        headers = handler.seen[-1]
        assert headers["X-Road-Client"] == handler.client_id and headers["X-Road-Issue"] == "X-1"
        assert headers["X-Road-UserId"] == "citizen:7" and headers["X-API-Key"] == handler.api_key
        unknown = asyncio.run(
            prefill.lookup(_target(base_url, handler), national_id=new_national_id(), user_id="u", issue=None)
        )
        assert not unknown.found and unknown.reason == "status 404"
        wrong_key = asyncio.run(
            prefill.lookup(
                _target(base_url, handler, api_key="bad"), national_id=national_id, user_id="u", issue=None
            )
        )
        assert wrong_key.reason == "status 401"
        handler.delay = 1.0
        slow = asyncio.run(
            prefill.lookup(_target(base_url, handler), national_id=national_id, user_id="u", issue=None)
        )
        assert slow.reason == "timeout"
    gone = asyncio.run(
        prefill.lookup(_target(base_url, handler), national_id=national_id, user_id="u", issue=None)
    )
    assert gone.reason == "unreachable"
    off = asyncio.run(
        prefill.lookup(
            _target(base_url, handler, enabled=False), national_id=national_id, user_id="u", issue=None
        )
    )
    assert off.reason == "disabled"


def test_prefill_settings_keep_the_key_secret(client: TestClient, setup):
    response = client.patch(
        "/api/v1/services/settings/prefill",
        json={"api_key": "s3cret-value", "timeout_seconds": 2},
        headers=setup["admin"].headers,
    )
    assert response.status_code == 200 and response.json()["api_key_set"] is True
    assert "s3cret-value" not in response.text
    audit = client.get(
        "/api/v1/audit/events",
        params={"action": "services.prefill.configure"},
        headers=setup["admin"].headers,
    )
    assert "s3cret-value" not in audit.text and "(changed)" in audit.text
    assert (
        client.patch(
            "/api/v1/services/settings/prefill",
            json={"client_id": "not-an-id"},
            headers=setup["admin"].headers,
        ).status_code
        == 422
    )
