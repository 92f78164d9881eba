"""Administrative units loaded from the real package data, checked against known facts of the 2025 reform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govhub.core.adminunits import service
from govhub.core.adminunits.models import CURRENT, LEGACY, AdminUnit, AdminUnitSuccession
from govhub.core.adminunits.schemas import AdminUnitRead, LoadReportRead
from govhub.core.database import Database


@pytest.fixture(scope="module")
def loaded(database: Database) -> service.LoadReport:
    """Loads once per module; load is idempotent, so a database shared with other modules is fine."""
    steps: list[tuple[str, int, int]] = []
    with database.session() as db_session:
        report = service.load(db_session=db_session, progress=lambda *step: steps.append(step))
    assert steps, "progress was never reported"
    assert all(0 <= done <= total for _, done, total in steps)
    return report


@pytest.fixture
def session(loaded: service.LoadReport, db_session: Session) -> Session:
    return db_session


def _unit(session: Session, structure: str, level: str, code: str) -> AdminUnit:
    unit = service.get(db_session=session, structure=structure, level=level, code=code)
    assert unit is not None, (structure, level, code)
    return unit


def test_report_counts(loaded: service.LoadReport) -> None:
    assert loaded.units[LEGACY] == {"province": 63, "district": 696, "commune": 10035}
    assert loaded.units[CURRENT] == {"province": 34, "commune": 3321}
    assert loaded.successions > 10_000
    assert loaded.skipped == 0
    assert LoadReportRead.model_validate(loaded).units[CURRENT]["province"] == 34


def test_province_counts_by_date(session: Session) -> None:
    assert service.count_provinces(db_session=session, on=dt.date(2022, 11, 20)) == 63
    assert service.count_provinces(db_session=session, on=dt.date(2025, 6, 30)) == 63
    assert service.count_provinces(db_session=session, on=dt.date(2025, 7, 1)) == 34
    assert len(service.units_valid_on(db_session=session, on=dt.date(2025, 7, 1), level="province")) == 34


def test_legacy_districts(session: Session) -> None:
    districts = service.units_valid_on(db_session=session, on=dt.date(2020, 1, 1), level="district")
    assert len(districts) == 696
    assert service.units_valid_on(db_session=session, on=dt.date(2025, 7, 1), level="district") == []
    ba_dinh = _unit(session, LEGACY, "district", "001")
    assert ba_dinh.name == "Quận Ba Đình"
    assert ba_dinh.unit_type == "Quận"
    children = service.units_valid_on(
        db_session=session, on=dt.date(2020, 1, 1), level="commune", parent_code="001"
    )
    assert [c.code for c in children][:2] == ["00001", "00004"]


def test_codes_are_zero_padded_strings(session: Session) -> None:
    hanoi = _unit(session, LEGACY, "province", "01")
    assert hanoi.code == "01"
    assert hanoi.unit_type == "Thành phố"
    assert hanoi.valid_from is None
    assert hanoi.valid_to == dt.date(2025, 6, 30)
    phuc_xa = _unit(session, LEGACY, "commune", "00001")
    assert phuc_xa.name == "Phường Phúc Xá"
    assert phuc_xa.province_code == "01"
    assert session.get(AdminUnit, phuc_xa.parent_id).code == "001"
    assert _unit(session, CURRENT, "province", "04").unit_type == "Tỉnh"
    lengths = session.execute(
        select(AdminUnit.level, func.min(func.length(AdminUnit.code)), func.max(func.length(AdminUnit.code)))
        .group_by(AdminUnit.level)
        .order_by(AdminUnit.level)
    ).all()
    assert [tuple(row) for row in lengths] == [("commune", 5, 5), ("district", 3, 3), ("province", 2, 2)]


def test_whole_commune_succession(session: Session) -> None:
    phuc_xa = _unit(session, LEGACY, "commune", "00001")
    [(edge, new)] = service.successors(db_session=session, unit_id=phuc_xa.id)
    assert (edge.kind, edge.is_default, edge.effective) == ("whole", True, dt.date(2025, 7, 1))
    assert (new.structure, new.code, new.name) == (CURRENT, "00097", "Phường Hồng Hà")
    assert new.valid_from == dt.date(2025, 7, 1)
    assert new.valid_to is None
    assert session.get(AdminUnit, new.parent_id).code == "01"


def test_split_commune_has_default(session: Session) -> None:
    da_kao = _unit(session, LEGACY, "commune", "26737")
    assert da_kao.name == "Phường Đa Kao"
    edges = service.successors(db_session=session, unit_id=da_kao.id)
    assert [(e.kind, e.is_default, u.code, u.name) for e, u in edges] == [
        ("part", True, "26740", "Phường Sài Gòn"),
        ("part", False, "26737", "Phường Tân Định"),
    ]
    sai_gon = _unit(session, CURRENT, "commune", "26740")
    before = {u.name for _, u in service.predecessors(db_session=session, unit_id=sai_gon.id)}
    assert before == {"Phường Bến Nghé", "Phường Đa Kao", "Phường Nguyễn Thái Bình"}


def test_province_merger(session: Session) -> None:
    hcm = _unit(session, CURRENT, "province", "79")
    assert hcm.name == "Thành phố Hồ Chí Minh"
    before = service.predecessors(db_session=session, unit_id=hcm.id)
    assert sorted((u.code, u.name) for _, u in before if u.level == "province") == [
        ("74", "Tỉnh Bình Dương"),
        ("77", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("79", "Thành phố Hồ Chí Minh"),
    ]
    binh_duong = _unit(session, LEGACY, "province", "74")
    [(edge, new)] = service.successors(db_session=session, unit_id=binh_duong.id)
    assert (edge.kind, new.code) == ("whole", "79")


def test_island_district_becomes_special_zone(session: Session) -> None:
    con_dao = _unit(session, LEGACY, "district", "755")
    [(edge, new)] = service.successors(db_session=session, unit_id=con_dao.id)
    assert (edge.kind, new.code, new.name, new.unit_type) == ("whole", "26732", "Đặc khu Côn Đảo", "Đặc khu")


def test_load_twice_does_not_duplicate(database: Database, loaded: service.LoadReport) -> None:
    with database.session() as db_session:
        units = db_session.scalar(select(func.count()).select_from(AdminUnit))
        edges = db_session.scalar(select(func.count()).select_from(AdminUnitSuccession))
        again = service.load(db_session=db_session)
    assert (again.units_inserted, again.units_updated) == (0, 0)
    assert (again.successions_inserted, again.successions_updated) == (0, 0)
    with database.session() as db_session:
        assert db_session.scalar(select(func.count()).select_from(AdminUnit)) == units
        assert db_session.scalar(select(func.count()).select_from(AdminUnitSuccession)) == edges
        assert service.is_loaded(db_session=db_session)
    assert units == 63 + 696 + 10035 + 34 + 3321
    assert edges == loaded.successions


def test_structure_on_boundary() -> None:
    assert service.structure_on(dt.date(2025, 6, 30)) == LEGACY
    assert service.structure_on(dt.date(2025, 7, 1)) == CURRENT
    assert service.structure_on(dt.date(1990, 1, 1)) == LEGACY


def test_search_is_accent_insensitive(session: Session) -> None:
    found = service.search(db_session=session, q="ha noi", on=dt.date(2025, 7, 1), level="province", limit=5)
    assert [u.code for u in found] == ["01"]
    found = service.search(db_session=session, q="SÀI GÒN", on=dt.date(2025, 7, 1), limit=5)
    assert found[0].name == "Phường Sài Gòn"
    assert service.search(db_session=session, q="dak lak", level="province", limit=5)
    assert service.search(db_session=session, q="   ") == []


@pytest.fixture
def client(database: Database, loaded: service.LoadReport) -> Iterator[TestClient]:
    """A bare app with just this router; the real session dependency reads app.state.database."""
    from govhub.core import errors
    from govhub.core.adminunits.api import router

    app = FastAPI()
    app.state.database = database
    errors.install(app)
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


def test_api_lookup(client: TestClient) -> None:
    response = client.get(
        "/api/v1/adminunits/", params={"on": "2022-11-20", "level": "province", "limit": 500}
    )
    assert response.status_code == 200
    assert len(response.json()) == 63
    response = client.get(
        "/api/v1/adminunits/", params={"on": "2025-07-01", "parent": "79", "level": "commune"}
    )
    assert response.status_code == 200
    assert all(AdminUnitRead.model_validate(u).province_code == "79" for u in response.json())
    unit = client.get("/api/v1/adminunits/legacy63/commune/26737").json()
    assert unit["name"] == "Phường Đa Kao"
    edges = client.get("/api/v1/adminunits/legacy63/commune/26737/successors").json()
    assert [(e["unit"]["code"], e["is_default"]) for e in edges] == [("26740", True), ("26737", False)]
    assert client.get("/api/v1/adminunits/", params={"q": "sai gon", "limit": 3}).status_code == 200


def test_api_rejects_bad_input(client: TestClient) -> None:
    missing = client.get("/api/v1/adminunits/current34/commune/99999")
    assert missing.status_code == 404
    assert "99999" in missing.json()["detail"]
    for path in ("/api/v1/adminunits/bogus/commune/00001", "/api/v1/adminunits/legacy63/hamlet/00001"):
        assert client.get(path).status_code == 422
    assert client.get("/api/v1/adminunits/legacy63/commune/1' OR 1=1").status_code == 422
    assert client.get("/api/v1/adminunits/", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/adminunits/", params={"q": "x" * 101}).status_code == 422
