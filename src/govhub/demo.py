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
from govhub.exchange import providers
from govhub.exchange import service as exchange
from govhub.exchange.schemas import (
    AccessRequestCreate,
    MemberCreate,
    RightCreate,
    ServiceCreate,
    ServiceUpdate,
    SubsystemCreate,
    SubsystemKeyCreate,
)
from govhub.services import demo as services_demo
from govhub.services import rules
from govhub.services.schemas import PrefillConfigUpdate

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
    created |= services_demo.seed(db_session=db_session, actor=actor)
    return created


# --- exchange (NDXP/LGSP): who provides, who consumes, and one pending request -------------------------

# (organisation code, subsystem code, subsystem name, kind)
EXCHANGE_SUBSYSTEMS = [
    ("000.10.00.G01", "POPULATION", "Cơ sở dữ liệu quốc gia về dân cư", "national_database"),
    (
        "000.00.00.G12",
        "BUSINESS-REGISTRY",
        "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
        "national_database",
    ),
    (
        "000.00.00.H26",
        "DVC",
        "Hệ thống thông tin giải quyết thủ tục hành chính TP Hà Nội",
        "information_system",
    ),
    ("000.00.00.H49", "LGSP", "Nền tảng tích hợp, chia sẻ dữ liệu tỉnh Quảng Ninh", "information_system"),
]
ACCESS_PURPOSE = (
    "Tra cứu, xác thực thông tin công dân khi tiếp nhận hồ sơ thủ tục hành chính tại Trung tâm Phục vụ "
    "hành chính công tỉnh, thực hiện nguyên tắc không yêu cầu người dân cung cấp lại thông tin đã có "
    "(Nghị định 194/2025/NĐ-CP)."
)


def seed_exchange(*, db_session: Session, actor: Actor, population_url: str, business_url: str) -> dict:
    """Registers the demo exchange through the exchange's own functions; returns counts and a new gateway key."""
    created = {"members": 0, "subsystems": 0, "services": 0, "rights": 0, "access_requests": 0}
    subsystems = {}
    members = {m.member_code: m for m in exchange.list_members(db_session=db_session)}
    for org_code, code, name, kind in EXCHANGE_SUBSYSTEMS:
        member = members.get(org_code)
        if member is None:
            organisation = orgs.get_by_code(db_session=db_session, code=org_code)
            assert organisation is not None, f"run seed() first: no organisation {org_code}"
            member = exchange.create_member(
                db_session=db_session,
                actor=actor,
                member_in=MemberCreate(
                    organisation_id=organisation.id, member_class="GOV", member_code=org_code
                ),
            )
            created["members"] += 1
        subsystem = exchange.find_subsystem(
            db_session=db_session, member_class="GOV", member_code=org_code, subsystem_code=code
        )
        if subsystem is None:
            subsystem = exchange.create_subsystem(
                db_session=db_session,
                actor=actor,
                subsystem_in=SubsystemCreate(member_id=member.id, code=code, name=name, kind=kind),
            )
            created["subsystems"] += 1
        subsystems[code] = subsystem
    services = {}
    for subsystem_code, code, name, url in (
        ("POPULATION", "citizens", "Tra cứu thông tin công dân", population_url),
        ("BUSINESS-REGISTRY", "enterprises", "Tra cứu thông tin doanh nghiệp", business_url),
    ):
        provider = subsystems[subsystem_code]
        row = next((s for s in exchange.list_services(db_session=db_session, subsystem_id=provider.id)
                    if s.code == code), None)  # fmt: skip
        if row is None:
            row = exchange.create_service(
                db_session=db_session,
                actor=actor,
                service_in=ServiceCreate(
                    subsystem_id=provider.id, code=code, name=name, service_type="OPENAPI3", base_url=url,
                    description_doc=providers.OPENAPI[code], timeout_seconds=10,
                ),
            )  # fmt: skip
            created["services"] += 1
        change = (
            ServiceUpdate(enabled=True, base_url=url) if row.base_url != url else ServiceUpdate(enabled=True)
        )
        exchange.update_service(db_session=db_session, actor=actor, service=row, service_in=change)
        services[code] = row
    for consumer, code in (("DVC", "citizens"), ("DVC", "enterprises"), ("LGSP", "enterprises")):
        subsystem_id, service_id = subsystems[consumer].id, services[code].id
        if not any(r.subsystem_id == subsystem_id
                   for r in exchange.list_rights(db_session=db_session, service_id=service_id)):  # fmt: skip
            exchange.grant(
                db_session=db_session,
                actor=actor,
                right_in=RightCreate(service_id=service_id, subsystem_id=subsystem_id),
            )
            created["rights"] += 1
    if not any(r.consumer_subsystem_id == subsystems["LGSP"].id and r.service_id == services["citizens"].id
               for r in exchange.list_access_requests(db_session=db_session)):  # fmt: skip
        exchange.request_access(
            db_session=db_session,
            actor=actor,
            request_in=AccessRequestCreate(
                consumer_subsystem_id=subsystems["LGSP"].id,
                service_id=services["citizens"].id,
                purpose=ACCESS_PURPOSE,
            ),
        )
        created["access_requests"] += 1
    _key, token = exchange.create_key(
        db_session=db_session,
        actor=actor,
        subsystem_id=subsystems["DVC"].id,
        key_in=SubsystemKeyCreate(name="govhub demo", expires_in_days=365),
    )
    instance = "VN"
    return created | {
        "gateway_key": token,
        "client": exchange.subsystem_identifier(db_session, subsystems["DVC"], instance),
        "citizens_service": exchange.service_identifier(db_session, services["citizens"], instance),
        "enterprises_service": exchange.service_identifier(db_session, services["enterprises"], instance),
    }


def connect_prefill(*, db_session: Session, actor: Actor, base_url: str, registry: dict) -> None:
    """Points the one-stop system's prefill at the demo gateway, as Hà Nội's DVC subsystem with its key."""
    rules.update_prefill_config(
        db_session=db_session,
        actor=actor,
        config_in=PrefillConfigUpdate(
            enabled=True,
            base_url=base_url,
            client_id=registry["client"],
            service_path=registry["citizens_service"] + "/citizens",
            api_key=registry["gateway_key"],
        ),
    )
