"""The demo providers over real HTTP on loopback, and the demo exchange they serve through the gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from govhub import demo
from govhub.app import create_app
from govhub.core import migrate
from govhub.core.actor import cli_actor
from govhub.core.adminunits.models import AdminUnit
from govhub.core.config import Settings
from govhub.core.database import Database
from govhub.exchange import descriptions, providers, service


@pytest.fixture(scope="module")
def running() -> Iterator[providers.Providers]:
    started = providers.start_providers()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def test_demo_citizen_resolves_to_the_demo_name(running, http):
    response = http.get(f"{running.population_url}/citizens/{demo.CITIZEN.national_id}")
    assert response.status_code == 200
    person = response.json()
    assert person["full_name"] == demo.CITIZEN.full_name == "Phạm Văn An"
    assert person["national_id"] == "001099012345"
    # 001 = Hà Nội, 0 = a man born in the 1900s, 99 = 1999: the generated record agrees with the number.
    assert person["gender"] == "Nam" and person["date_of_birth"].startswith("1999-")
    assert person["permanent_address"].endswith("Thành phố Hà Nội")


@pytest.mark.parametrize("number", ["022185004321", "079302111110", "123456789012", "001200000000"])
def test_people_are_plausible_and_deterministic(running, http, number):
    first = http.get(f"{running.population_url}/citizens/{number}").json()
    again = http.get(f"{running.population_url}/citizens/{number}").json()
    assert first == again
    family, *middle, given = first["full_name"].split(" ")
    assert family in providers.FAMILY and given in providers.GIVEN[first["gender"]] and len(middle) == 1
    assert first["gender"] in ("Nam", "Nữ")
    assert any(
        commune in first["permanent_address"]
        for communes in providers.COMMUNES.values()
        for commune in communes
    )
    if number[3] in "0123":
        assert first["date_of_birth"][2:4] == number[4:6]
        assert first["gender"] == ("Nam" if int(number[3]) % 2 == 0 else "Nữ")


def test_unknown_and_malformed_numbers(running, http):
    unknown = http.get(f"{running.population_url}/citizens/001099012349")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert unknown.json()["status"] == 404
    for bad in ("12345", "00109901234a", "0010990123456", "%20"):
        response = http.get(f"{running.population_url}/citizens/{bad}")
        assert response.status_code == 400, bad
        assert "12 digits" in response.json()["detail"]
    assert http.get(f"{running.business_url}/enterprises/01001000").status_code == 400
    assert http.get(f"{running.business_url}/enterprises/0100100089").status_code == 404


def test_enterprises(running, http):
    post = http.get(f"{running.business_url}/enterprises/0100100079").json()
    assert post["name"] == "Tổng công ty Bưu điện Việt Nam (minh họa)"  # the demo's enterprise organisation
    other = http.get(f"{running.business_url}/enterprises/5700123456")
    assert other.status_code == 200
    company = other.json()
    assert company == http.get(f"{running.business_url}/enterprises/5700123456").json()
    assert company["tax_code"] == "5700123456" and company["head_office_address"].endswith("Tỉnh Quảng Ninh")
    assert company["name"].startswith(company["enterprise_type_name"])
    assert company["main_business_line"]["vsic_code"].isdigit()


def test_openapi_documents_are_served_and_registrable(running, http):
    for url, code, path in (
        (running.population_url, "citizens", "/citizens/{national_id}"),
        (running.business_url, "enterprises", "/enterprises/{tax_code}"),
    ):
        served = http.get(f"{url}/openapi.json")
        assert served.status_code == 200 and served.json() == json.loads(providers.OPENAPI[code])
        doc = descriptions.load_openapi(providers.OPENAPI[code])
        assert descriptions.openapi_endpoints(doc) == [("GET", path)]


def test_addresses_use_real_communes(loaded_database):
    """Every built-in commune exists, in that province, in the current 34-province structure."""
    with loaded_database.session() as session:
        units = session.execute(
            select(AdminUnit.name, AdminUnit.parent_id, AdminUnit.id, AdminUnit.level).where(
                AdminUnit.structure == "current34"
            )
        ).all()
    names = {row.id: row.name for row in units}
    pairs = {(row.name, names.get(row.parent_id)) for row in units if row.level == "commune"}
    for province, communes in providers.COMMUNES.items():
        for commune in communes:
            assert (commune, province) in pairs, f"{commune}, {province}"


def test_stop_closes_the_ports(http):
    started = providers.start_providers()
    assert http.get(f"{started.population_url}/citizens/001099012345").status_code == 200
    started.stop()
    started.stop()  # twice is harmless
    with pytest.raises(httpx.ConnectError):
        http.get(f"{started.population_url}/citizens/001099012345")


def test_demo_exchange_answers_through_the_gateway(running, tmp_path):
    """seed_exchange on a fresh demo database: the printed key and path really reach the provider."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    database = Database(url)
    migrate.upgrade(database.engine)
    actor = cli_actor("test demo")
    with database.session() as session:
        demo.seed(db_session=session, actor=actor)
    with database.session() as session:
        seeded = demo.seed_exchange(
            db_session=session,
            actor=actor,
            population_url=running.population_url,
            business_url=running.business_url,
        )
    assert {k: seeded[k] for k in ("members", "subsystems", "services", "rights", "access_requests")} == {
        "members": 4,
        "subsystems": 4,
        "services": 2,
        "rights": 3,
        "access_requests": 1,
    }
    assert seeded["client"] == "VN/GOV/000.00.00.H26/DVC"
    assert seeded["citizens_service"] == "VN/GOV/000.10.00.G01/POPULATION/citizens"
    with database.session() as session:  # a second run adds nothing but a new key
        again = demo.seed_exchange(
            db_session=session,
            actor=actor,
            population_url=running.population_url,
            business_url=running.business_url,
        )
        assert again["members"] == again["rights"] == again["access_requests"] == 0
        pending = service.list_access_requests(db_session=session, status="pending")
        assert len(pending) == 1 and "Nghị định 194/2025" in pending[0].purpose

    app = create_app(Settings(database_url=url, secret_key="t" * 32), database)
    headers = {"X-Road-Client": seeded["client"], "X-API-Key": seeded["gateway_key"]}
    with TestClient(app) as client:
        person = client.get(f"/r1/{seeded['citizens_service']}/citizens/001099012345", headers=headers)
        assert person.status_code == 200 and person.json()["full_name"] == "Phạm Văn An"
        company = client.get(f"/r1/{seeded['enterprises_service']}/enterprises/0100100079", headers=headers)
        assert company.status_code == 200
    with database.session() as session:
        total, _rows = service.list_transactions(db_session=session, actor=cli_actor("t"))
        assert total == 2
    database.dispose()
