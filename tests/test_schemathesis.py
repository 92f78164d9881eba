"""Property-based requests generated from the served OpenAPI document: no input may cause a server error.

The fuzzer writes at random (rule versions, settings, catalogue rows), so it gets its own application and
database and cannot disturb the other tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from govhub.app import create_app
from govhub.core import migrate
from govhub.core.auth.models import Role
from govhub.core.config import Settings
from govhub.core.database import Database

from conftest import World, scratch_database, serve


@pytest.fixture(scope="module")
def fuzz_target(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    with scratch_database(database_url, tmp_path_factory.mktemp("fuzz")) as url:
        database = Database(url)
        migrate.upgrade(database.engine)
        app = create_app(
            Settings(database_url=url, secret_key="fuzz-secret", max_body_bytes=65_536), database
        )
        headers = World(database).account(Role.SYSTEM_ADMIN).headers
        with serve(app) as base_url:
            yield base_url, headers
        database.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_target: tuple[str, dict[str, str]]):
    return schemathesis.openapi.from_url(f"{fuzz_target[0]}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, fuzz_target):
    base_url, headers = fuzz_target
    case.call_and_validate(base_url=base_url, headers=headers, checks=[not_a_server_error])


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_without_credentials(case, fuzz_target):
    case.call_and_validate(base_url=fuzz_target[0], checks=[not_a_server_error])
