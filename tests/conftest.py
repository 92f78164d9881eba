"""Shared fixtures: one migrated database per test session (SQLite file, or PostgreSQL when asked)."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from govhub.app import create_app
from govhub.core import migrate
from govhub.core.actor import cli_actor
from govhub.core.adminunits import service as adminunits
from govhub.core.auth import service as auth
from govhub.core.auth.models import Role
from govhub.core.auth.schemas import ApiKeyCreate, UserCreate
from govhub.core.config import Settings
from govhub.core.database import Database
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import OrganisationCreate


def _reset_postgres(url: str) -> None:
    database = Database(url)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    database.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """GOVHUB_TEST_DATABASE_URL selects PostgreSQL; otherwise a fresh SQLite file."""
    url = os.environ.get("GOVHUB_TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    path: Path = tmp_path_factory.mktemp("db") / "govhub-test.db"
    return f"sqlite:///{path}"


@contextmanager
def scratch_database(database_url: str, directory: Path) -> Iterator[str]:
    """An empty database of the same kind as the suite's: a SQLite file, or a new PostgreSQL database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{directory / f'scratch-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"govhub_scratch_{uuid.uuid4().hex[:8]}"
    admin = Database(database_url)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def db_session(database: Database) -> Iterator[Session]:
    """A session committed at the end of the test, like a request's unit of work."""
    with database.session() as session:
        yield session


# --- application, accounts and a live server -------------------------------------------------------


PASSWORD = "Test-password-2026"
# Browser assertions wait longer than Playwright's 5 s: CI machines are shared and a page may be slow to come.
expect.set_options(timeout=15_000)
# Gateway workers re-read the registry on every request in tests, so a grant takes effect at once.
os.environ.setdefault("GOVHUB_EXCHANGE_REGISTRY_REFRESH_SECONDS", "0")


@pytest.fixture(scope="session")
def loaded_database(database: Database) -> Database:
    """Administrative units are reference data every page shows; load them once per session."""
    with database.session() as session:
        adminunits.load(db_session=session)
    return database


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, secret_key="test-secret-" + uuid.uuid4().hex, max_body_bytes=65_536
    )


@pytest.fixture(scope="session")
def app(settings: Settings, loaded_database: Database) -> FastAPI:
    return create_app(settings, loaded_database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Account:
    user_id: int
    username: str
    organisation_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class World:
    """Makes organisations and accounts with unique names, so tests share one database without clashing."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def organisation(self, kind: OrgKind = OrgKind.PROVINCE, parent_id: int | None = None) -> int:
        suffix = uuid.uuid4().hex[:10]
        with self.database.session() as session:
            org = orgs.create(
                db_session=session,
                actor=cli_actor("test setup"),
                organisation_in=OrganisationCreate(
                    code=f"T.{suffix}", name=f"Test organisation {suffix}", kind=kind, parent_id=parent_id
                ),
            )
            return org.id

    def account(
        self, role: Role, organisation_id: int | None = None, scopes: list[str] | None = None
    ) -> Account:
        organisation_id = organisation_id or self.organisation()
        username = f"{role.value.replace('_', '')}.{uuid.uuid4().hex[:8]}"
        with self.database.session() as session:
            user = auth.create_user(
                db_session=session,
                actor=cli_actor("test setup"),
                user_in=UserCreate(
                    username=username,
                    full_name=f"Test {role.value}",
                    password=PASSWORD,
                    role=role,
                    organisation_id=organisation_id,
                ),
            )
            _key, token = auth.create_api_key(
                db_session=session,
                actor=cli_actor("test setup"),
                key_in=ApiKeyCreate(name="tests", user_id=user.id, scopes=scopes or ["*"]),
            )
            return Account(user.id, username, organisation_id, token)


@pytest.fixture
def world(loaded_database: Database) -> World:
    return World(loaded_database)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serves an app with uvicorn on a free loopback port for as long as the block runs."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The real app served by uvicorn on loopback, for browser tests and gateway calls."""
    with serve(app) as url:
        yield url
