"""Helpers shared by the services tests: catalogue entries, citizens, actors and a loopback population provider."""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient

from govhub.core.actor import Actor, cli_actor
from govhub.core.auth import service as auth
from govhub.core.auth.models import Citizen, User
from govhub.core.auth.schemas import CitizenCreate
from govhub.core.database import Database
from govhub.services import catalogue
from govhub.services.schemas import ProcedureCreate, PublicServiceCreate

from conftest import PASSWORD

SETUP = cli_actor("test setup")


def make_offer(
    database: Database,
    *,
    agency_id: int,
    level: str = "full",
    time_limit: int = 5,
    time_unit: str = "working_days",
    eligible: bool = True,
    paper_result: bool = True,
    fees: list[dict[str, Any]] | None = None,
) -> int:
    code = f"9.{random.randint(0, 999999):06d}{uuid.uuid4().hex[:4]}"
    with database.session() as session:
        procedure = catalogue.create_procedure(
            db_session=session,
            actor=SETUP,
            procedure_in=ProcedureCreate(
                code=code,
                name=f"Cấp giấy phép thử {code}",
                sector="Tư pháp",
                gov_level="province",
                components=[{"name": "Tờ khai", "copies": 1}],
                fees=fees or [],
                time_limit=time_limit,
                time_unit=time_unit,
                paper_result=paper_result,
                eligible_full_online=eligible,
            ),
        )
        offer = catalogue.create_service(
            db_session=session,
            actor=SETUP,
            service_in=PublicServiceCreate(
                procedure_id=procedure.id,
                agency_id=agency_id,
                online_level=level,
                partial_reason="in_person_required" if level == "partial" else None,
            ),
        )
        return offer.id


def new_national_id() -> str:
    return f"0{random.randint(10**10, 10**11 - 1)}"


def make_citizen(database: Database, full_name: str = "Nguyễn Văn Thử") -> tuple[int, str]:
    national_id = new_national_id()
    with database.session() as session:
        citizen = auth.create_citizen(
            db_session=session,
            actor=SETUP,
            citizen_in=CitizenCreate(national_id=national_id, full_name=full_name, password=PASSWORD),
        )
        return citizen.id, national_id


def citizen_actor(database: Database, citizen_id: int) -> Actor:
    with database.session() as session:
        return auth.citizen_actor(session.get(Citizen, citizen_id))


def user_actor(database: Database, user_id: int) -> Actor:
    with database.session() as session:
        return auth.user_actor(session.get(User, user_id))


def sign_in(client: TestClient, username: str) -> str:
    """Signs in through the login form and returns the session's CSRF token for API writes."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/services")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


class PopulationHandler(BaseHTTPRequestHandler):
    """Speaks the gateway's protocol for GET /r1/VN/GOV/000.10.00.G01/POPULATION/citizens/{id}."""

    people: dict[str, dict[str, str]] = {}  # noqa: RUF012
    seen: list[dict[str, str]] = []  # noqa: RUF012
    delay: float = 0.0
    client_id = "VN/GOV/000.00.00.H26/DVC"
    api_key = "loopback-key"

    def do_GET(self) -> None:
        self.seen.append({k: v for k, v in self.headers.items()} | {"path": self.path})
        if self.delay:
            time.sleep(self.delay)
        match = re.fullmatch(r"/r1/VN/GOV/000\.10\.00\.G01/POPULATION/citizens/(\d{12})", self.path)
        if (
            self.headers.get("X-Road-Client") != self.client_id
            or self.headers.get("X-API-Key") != self.api_key
        ):
            return self._send(401, {"type": "about:blank", "title": "Unauthorized", "status": 401})
        if not match or match.group(1) not in self.people:
            return self._send(404, {"type": "about:blank", "title": "Not found", "status": 404})
        return self._send(200, self.people[match.group(1)])

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if status == 200 else "application/problem+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):  # the client gave up waiting (the timeout test)
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def population_server() -> Iterator[tuple[str, type[PopulationHandler]]]:
    handler = type("Handler", (PopulationHandler,), {"people": {}, "seen": [], "delay": 0.0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
