"""Realistic sample data for `govhub demo`: real agency names and codes (docs/agency-codes.md)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.adminunits import service as adminunits
from govhub.core.adminunits.models import CURRENT
from govhub.core.auth import service as auth
from govhub.core.auth.models import Role
from govhub.core.auth.schemas import CitizenCreate, UserCreate
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import OrganisationCreate

# (code, Vietnamese name, English name, kind, parent code, current-structure admin unit (level, code))
ORGANISATIONS: list[tuple[str, str, str, OrgKind, str | None, tuple[str, str] | None]] = [
    ("000.00.00.G22", "Văn phòng Chính phủ", "Government Office", OrgKind.CENTRAL_AGENCY, None, None),
    ("000.00.00.G01", "Bộ Công an", "Ministry of Public Security", OrgKind.MINISTRY, None, None),
    ("000.00.00.G02", "Bộ Công Thương", "Ministry of Industry and Trade", OrgKind.MINISTRY, None, None),
    (
        "000.00.00.G06",
        "Bộ Khoa học và Công nghệ",
        "Ministry of Science and Technology",
        OrgKind.MINISTRY,
        None,
        None,
    ),
    ("000.00.00.G09", "Bộ Nội vụ", "Ministry of Home Affairs", OrgKind.MINISTRY, None, None),
    ("000.00.00.G12", "Bộ Tài chính", "Ministry of Finance", OrgKind.MINISTRY, None, None),
    ("000.00.00.G15", "Bộ Tư pháp", "Ministry of Justice", OrgKind.MINISTRY, None, None),
    ("000.00.00.G18", "Bộ Y tế", "Ministry of Health", OrgKind.MINISTRY, None, None),
    (
        "000.00.00.H26",
        "Ủy ban nhân dân Thành phố Hà Nội",
        "Hanoi People's Committee",
        OrgKind.PROVINCE,
        None,
        ("province", "01"),
    ),
    (
        "000.00.00.H29",
        "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "Ho Chi Minh City People's Committee",
        OrgKind.PROVINCE,
        None,
        ("province", "79"),
    ),
    (
        "000.00.00.H41",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Nghe An Provincial People's Committee",
        OrgKind.PROVINCE,
        None,
        ("province", "40"),
    ),
    (
        "000.00.00.H49",
        "Ủy ban nhân dân tỉnh Quảng Ninh",
        "Quang Ninh Provincial People's Committee",
        OrgKind.PROVINCE,
        None,
        ("province", "22"),
    ),
    (
        "000.00.00.H57",
        "Ủy ban nhân dân Thành phố Huế",
        "Hue City People's Committee",
        OrgKind.PROVINCE,
        None,
        ("province", "46"),
    ),
    # Units below level 1 are illustrative: shaped like real codes, not taken from a catalogue.
    (
        "000.10.00.G01",
        "Trung tâm Dữ liệu quốc gia (minh họa)",
        "National Data Center (illustrative code)",
        OrgKind.DATABASE_OWNER,
        "000.00.00.G01",
        None,
    ),
    (
        "000.21.00.H26",
        "Sở Khoa học và Công nghệ Hà Nội (minh họa)",
        "Hanoi Department of Science and Technology (illustrative code)",
        OrgKind.PROVINCIAL_DEPARTMENT,
        "000.00.00.H26",
        ("province", "01"),
    ),
    (
        "000.97.00.H26",
        "Ủy ban nhân dân phường Hồng Hà (minh họa)",
        "Hong Ha Ward People's Committee (illustrative code)",
        OrgKind.COMMUNE,
        "000.00.00.H26",
        ("commune", "00097"),
    ),
    (
        "0100100079",
        "Tổng công ty Bưu điện Việt Nam (minh họa)",
        "Vietnam Post Corporation (illustrative)",
        OrgKind.ENTERPRISE,
        None,
        None,
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    full_name: str


LOGINS = [
    DemoLogin("admin", "GovHub-demo-2026", Role.SYSTEM_ADMIN, "000.00.00.G22", "Quản trị hệ thống"),
    DemoLogin("hanoi.admin", "HaNoi-demo-2026", Role.ORG_ADMIN, "000.00.00.H26", "Nguyễn Thị Hà"),
    DemoLogin("hanoi.operator", "Operator-demo-2026", Role.OPERATOR, "000.21.00.H26", "Trần Văn Minh"),
    DemoLogin("auditor", "Auditor-demo-2026", Role.AUDITOR, "000.00.00.G09", "Lê Thu Trang"),
]
CITIZEN = CitizenCreate(
    national_id="001099012345",
    full_name="Phạm Văn An",
    phone="0912345678",
    password="Citizen-demo-2026",
)


def seed(*, db_session: Session, actor: Actor) -> dict[str, int]:
    """Idempotent: existing codes and usernames are left as they are."""
    created = {"organisations": 0, "users": 0, "citizens": 0}
    for code, name, name_en, kind, parent_code, unit in ORGANISATIONS:
        if orgs.get_by_code(db_session=db_session, code=code):
            continue
        parent = orgs.get_by_code(db_session=db_session, code=parent_code) if parent_code else None
        admin_unit = (
            adminunits.get(db_session=db_session, structure=CURRENT, level=unit[0], code=unit[1])
            if unit
            else None
        )
        orgs.create(
            db_session=db_session,
            actor=actor,
            organisation_in=OrganisationCreate(
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                parent_id=parent.id if parent else None,
                admin_unit_id=admin_unit.id if admin_unit else None,
            ),
        )
        created["organisations"] += 1
    for login in LOGINS:
        if auth.get_user_by_username(db_session=db_session, username=login.username):
            continue
        organisation = orgs.get_by_code(db_session=db_session, code=login.organisation)
        assert organisation is not None
        auth.create_user(
            db_session=db_session,
            actor=actor,
            user_in=UserCreate(
                username=login.username,
                full_name=login.full_name,
                password=login.password,
                role=login.role,
                organisation_id=organisation.id,
            ),
        )
        created["users"] += 1
    if auth.get_citizen(db_session=db_session, national_id=CITIZEN.national_id) is None:
        auth.create_citizen(db_session=db_session, actor=actor, citizen_in=CITIZEN)
        created["citizens"] += 1
    return created
