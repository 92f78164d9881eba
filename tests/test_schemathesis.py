"""Property-based requests generated from the served OpenAPI document: no input may cause a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from govhub.core.auth.models import Role

from conftest import World


@pytest.fixture(scope="module")
def admin_headers(loaded_database) -> dict[str, str]:
    return World(loaded_database).account(Role.SYSTEM_ADMIN).headers


@pytest.fixture(scope="module")
def api_schema(live_server: str):
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, admin_headers, live_server):
    case.call_and_validate(base_url=live_server, headers=admin_headers, checks=[not_a_server_error])


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_without_credentials(case, live_server):
    case.call_and_validate(base_url=live_server, checks=[not_a_server_error])
