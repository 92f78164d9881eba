"""SIGKILL the gateway under load: every response a client received already has its transaction record.

The gateway group-commits each record before it releases the response's last byte, so a process killed at
any moment can only lose records of responses nobody received. The test runs `govhub serve` (2 workers) as
a subprocess in its own process group, drives it with ~32 concurrent aiohttp clients, kills the whole group
with SIGKILL after ~2,000 complete responses, then checks the database. It runs on a fresh SQLite file, and
on a scratch PostgreSQL database when GOVHUB_TEST_DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import make_url, text

from govhub.core import migrate
from govhub.core.actor import cli_actor
from govhub.core.database import Database
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import OrganisationCreate
from govhub.exchange import service
from govhub.exchange.schemas import (
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)

pytestmark = pytest.mark.timeout(120)

CONCURRENCY = 32
KILL_AFTER = 2_000  # complete responses before the SIGKILL
MAX_REQUESTS = 5_000  # the load never exceeds this, killed or not
LOAD_DEADLINE = 60.0  # seconds for the whole load phase
PREFIX = "crash-"
BODY = b'{"id":"001099012345","name":"Nguyen Van An","data":"' + b"x" * 240 + b'"}'


# --- provider, database, registry ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    """A small aiohttp provider on loopback, in its own thread and event loop."""

    async def person(_request: web.Request) -> web.Response:
        return web.Response(body=BODY, content_type="application/json")

    app = web.Application()
    app.router.add_get("/people/{id}", person)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    ready = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10), "the provider did not start"
    yield f"http://127.0.0.1:{port[0]}"
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def crash_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a scratch database on the suite's PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
        return
    base = os.environ.get("GOVHUB_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("GOVHUB_TEST_DATABASE_URL does not name a PostgreSQL database")
    name = f"govhub_crash_{uuid.uuid4().hex[:8]}"
    admin = Database(base)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Registry:
    url_path: str
    headers: dict[str, str]


def seed(url: str, provider: str) -> Registry:
    """Migrates, then registers a provider subsystem with an enabled REST service and a consumer with a key."""
    database = Database(url)
    migrate.upgrade(database.engine)
    actor = cli_actor("crash test")
    try:
        with database.session() as session:
            org_ids = [
                orgs.create(
                    db_session=session,
                    actor=actor,
                    organisation_in=OrganisationCreate(code=code, name=f"Crash test {code}", kind=kind),
                ).id
                for code, kind in (("CRASH.DB", OrgKind.DATABASE_OWNER), ("CRASH.H01", OrgKind.PROVINCE))
            ]
            members = [
                service.create_member(
                    db_session=session,
                    actor=actor,
                    member_in=MemberCreate(organisation_id=org, member_class="GOV", member_code=code),
                ).id
                for org, code in zip(org_ids, ("CRASHDB", "CRASHH01"), strict=True)
            ]
            provider_sub = service.create_subsystem(
                db_session=session,
                actor=actor,
                subsystem_in=SubsystemCreate(
                    member_id=members[0], code="POPULATION", name="CSDL dân cư", kind="national_database"
                ),
            )
            svc = service.create_service(
                db_session=session,
                actor=actor,
                service_in=ServiceCreate(
                    subsystem_id=provider_sub.id,
                    code="people",
                    name="Tra cứu công dân",
                    base_url=provider,
                    timeout_seconds=10,
                ),
            )
            service.update_service(
                db_session=session, actor=actor, service=svc, service_in=ServiceUpdate(enabled=True)
            )
            consumer = service.create_subsystem(
                db_session=session,
                actor=actor,
                subsystem_in=SubsystemCreate(member_id=members[1], code="DVC", name="Cổng dịch vụ công"),
            )
            service.grant(
                db_session=session,
                actor=actor,
                right_in=RightCreate(service_id=svc.id, subsystem_id=consumer.id),
            )
            _key, token = service.create_key(
                db_session=session,
                actor=actor,
                subsystem_id=consumer.id,
                key_in=SubsystemKeyCreate(name="crash test"),
            )
            return Registry(
                "/r1/" + service.service_identifier(session, svc, "VN") + "/people/001099012345",
                {"X-Road-Client": service.subsystem_identifier(session, consumer, "VN"), "X-API-Key": token},
            )
    finally:
        database.dispose()


# --- the gateway process ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group_alive(pgid: int) -> list[int]:
    """Live (not zombie) processes in a process group."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()  # state, ppid, pgrp, …
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


@contextlib.contextmanager
def gateway_process(database_url: str, server: str, port: int, workdir: Path) -> Iterator[subprocess.Popen]:
    """`govhub serve` with 2 workers in a new session (its own process group); always SIGKILLed at the end."""
    env = {
        **os.environ,
        "GOVHUB_DATABASE_URL": database_url,
        "GOVHUB_SECRET_KEY": "crash-test-" + uuid.uuid4().hex,
        "GOVHUB_CONFIG": str(workdir / "absent.toml"),
        "GOVHUB_SECRET_FILE": str(workdir / "secret"),
        "GOVHUB_EXCHANGE_REGISTRY_REFRESH_SECONDS": "1",
        # A wider group-commit window than the 3 ms default: a gateway that released responses before
        # their commit would then have ~10 ms of them unrecorded at any instant, which this test would see.
        "GOVHUB_EXCHANGE_COMMIT_INTERVAL_MS": "10",
    }
    argv = [
        sys.executable,
        "-c",
        "from govhub.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--server",
        server,
        "--no-upgrade",
    ]
    with (workdir / "gateway.log").open("wb") as log:
        process = subprocess.Popen(
            argv, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def _log(workdir: Path) -> str:
    path = workdir / "gateway.log"
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def wait_ready(
    port: int, path: str, headers: dict[str, str], process: subprocess.Popen, workdir: Path
) -> None:
    deadline = time.monotonic() + 40
    last: Exception | None = None
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the gateway exited with {process.returncode}:\n{_log(workdir)}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            if response.status == 200 and response.read() == BODY:
                return
        except Exception as exc:
            last = exc
        finally:
            connection.close()
        time.sleep(0.1)
    pytest.fail(f"the gateway did not answer within 40 s ({last}):\n{_log(workdir)}")


# --- the load --------------------------------------------------------------------------------------------------


@dataclass
class Load:
    received: list[str] = field(default_factory=list)  # X-Road-Id of every complete 200 response
    sent: int = 0
    failed_before_kill: list[str] = field(default_factory=list)
    failed_after_kill: int = 0
    killed_at: int | None = None  # complete responses when the SIGKILL was sent


async def drive(url: str, headers: dict[str, str], pgid: int) -> Load:
    load = Load()
    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, force_close=False)

    def kill() -> None:
        load.killed_at = len(load.received)
        os.killpg(pgid, signal.SIGKILL)

    async def client(session: aiohttp.ClientSession) -> None:
        while load.sent < MAX_REQUESTS:
            load.sent += 1
            message_id = f"{PREFIX}{uuid.uuid4().hex}"
            try:
                async with session.get(url, headers={**headers, "X-Road-Id": message_id}) as response:
                    body = await response.read()
                    if response.status != 200 or body != BODY:
                        raise AssertionError(f"unexpected {response.status}: {body[:200]!r}")
                    assert response.headers["X-Road-Id"] == message_id
                    load.received.append(message_id)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                if load.killed_at is None:
                    load.failed_before_kill.append(f"{type(exc).__name__}: {exc}")
                    if len(load.failed_before_kill) > 20:
                        return
                    continue
                load.failed_after_kill += 1
                return  # the gateway is gone: this client is done
            if load.killed_at is None and len(load.received) >= KILL_AFTER:
                kill()

    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        await asyncio.wait_for(
            asyncio.gather(*(client(session) for _ in range(CONCURRENCY))), timeout=LOAD_DEADLINE
        )
    return load


# --- the test ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_sigkill_under_load_loses_no_record_of_a_received_response(
    server: str, crash_database_url: str, provider_url: str, tmp_path: Path
):
    registry = seed(crash_database_url, provider_url)
    port = _free_port()
    url = f"http://127.0.0.1:{port}{registry.url_path}"
    with gateway_process(crash_database_url, server, port, tmp_path) as process:
        wait_ready(port, registry.url_path, registry.headers, process, tmp_path)
        time.sleep(0.5)  # both workers listening
        workers = _group_alive(process.pid)
        load = asyncio.run(drive(url, registry.headers, process.pid))
        deadline = time.monotonic() + 10
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = _group_alive(process.pid)
        log = _log(tmp_path)

    assert len(workers) >= 3, f"expected a supervisor and 2 workers, saw {workers}:\n{log}"
    assert not load.failed_before_kill, (
        f"requests failed before the kill: {load.failed_before_kill[:5]}\n{log}"
    )
    assert load.killed_at is not None, f"never reached {KILL_AFTER} responses ({len(load.received)}):\n{log}"
    assert process.returncode == -signal.SIGKILL
    assert survivors == [], f"processes outlived the SIGKILL: {survivors}"
    # The kill happened mid-load: requests in flight or sent afterwards failed, and the load stopped early.
    assert load.failed_after_kill > 0
    assert KILL_AFTER <= len(load.received) < MAX_REQUESTS
    assert load.sent < MAX_REQUESTS

    database = Database(crash_database_url)  # SQLite replays its WAL here; PostgreSQL has it committed
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT message_id, count(*), min(status_code), max(status_code) FROM xr_transaction "
                    "WHERE message_id LIKE :prefix GROUP BY message_id"
                ),
                {"prefix": PREFIX + "%"},
            ).all()
    finally:
        database.dispose()
    print(
        f"{server}: {load.sent} sent, {len(load.received)} received, SIGKILL after {load.killed_at}, "
        f"{load.failed_after_kill} failed after it, {len(rows)} records"
    )
    recorded = {row[0]: (row[1], row[2], row[3]) for row in rows}
    missing = [m for m in load.received if m not in recorded]
    duplicated = {m: v[0] for m, v in recorded.items() if v[0] != 1}
    received = set(load.received)
    not_ok = {m: v for m, v in recorded.items() if m in received and v[1:] != (200, 200)}
    assert not missing, (
        f"{len(missing)} of {len(load.received)} received responses have no record: {missing[:5]}"
    )
    assert not duplicated, f"message ids recorded more than once: {list(duplicated.items())[:5]}"
    assert not not_ok
    # Records of responses cut by the kill may exist (committed, then killed before the last byte left).
    assert len(load.received) <= len(recorded) <= len(load.received) + load.failed_after_kill
