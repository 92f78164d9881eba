"""Shared fixtures: one migrated database per test session (SQLite file, or PostgreSQL when asked)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from govhub.core import migrate
from govhub.core.database import Database


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
