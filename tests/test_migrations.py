"""Migrations run up and down on the suite's database engine (SQLite, or PostgreSQL in CI) and match the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from govhub.core import migrate
from govhub.core.database import Database
from govhub.models import Base

from conftest import scratch_database


def _head() -> str:
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def test_suite_database_is_at_head(database: Database):
    assert migrate.current_revision(database.engine) == _head()


def test_models_and_migrations_agree(database: Database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.fixture
def scratch_url(database_url: str, tmp_path) -> Iterator[str]:
    with scratch_database(database_url, tmp_path) as url:
        yield url


def test_upgrade_downgrade_upgrade(scratch_url: str):
    database = Database(scratch_url)
    try:
        migrate.upgrade(database.engine)
        tables = set(inspect(database.engine).get_table_names())
        assert {"organisation", "app_user", "api_key", "audit_event", "admin_unit", "citizen"} <= tables
        migrate.downgrade(database.engine, "base")
        assert migrate.current_revision(database.engine) is None
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(database.engine)
        assert migrate.current_revision(database.engine) == _head()
    finally:
        database.dispose()
