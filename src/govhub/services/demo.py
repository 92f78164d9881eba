"""Demo catalogue and dossiers for `govhub demo`, created through the services' own functions.

Procedure codes are shaped like national TTHC codes but are illustrative, not taken from the national database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.auth import service as auth
from govhub.core.orgs import service as orgs
from govhub.services import catalogue, service
from govhub.services.schemas import DossierAction, DossierCreate, ProcedureCreate, PublicServiceCreate

# (code, name, sector, level, time limit, unit, fee, paper result, eligible end to end, agency, online level)
PROCEDURES = [
    ("9.000001", "Đăng ký khai sinh (minh họa)", "Hộ tịch", "commune", 1, "working_days", 0, True, True,
     "000.97.00.H26", "full"),
    ("9.000002", "Đăng ký kết hôn (minh họa)", "Hộ tịch", "commune", 5, "working_days", 0, True, False,
     "000.97.00.H26", "partial"),
    ("9.000003", "Cấp Phiếu lý lịch tư pháp (minh họa)", "Lý lịch tư pháp", "province", 10, "days", 200000,
     True, True, "000.21.00.H26", "full"),
    ("9.000004", "Cấp giấy phép hoạt động khoa học (minh họa)", "Khoa học, công nghệ", "province", 15,
     "working_days", 500000, True, True, "000.21.00.H26", "partial"),
    ("9.000005", "Xác nhận thông tin hộ tịch (minh họa)", "Hộ tịch", "commune", 8, "hours", 0, False, True,
     "000.97.00.H26", "full"),
]  # fmt: skip


def seed(*, db_session: Session, actor: Actor) -> dict[str, int]:
    """Idempotent: existing procedure codes are left alone; a few dossiers show every kind of status."""
    created = {"procedures": 0, "public_services": 0, "dossiers": 0}
    offers = []
    for code, name, sector, level, limit, unit, fee, paper, eligible, agency_code, online in PROCEDURES:
        if catalogue.procedure_by_code(db_session=db_session, code=code):
            continue
        agency = orgs.get_by_code(db_session=db_session, code=agency_code)
        if agency is None:
            continue
        procedure = catalogue.create_procedure(
            db_session=db_session,
            actor=actor,
            procedure_in=ProcedureCreate(
                code=code, name=name, sector=sector, gov_level=level,
                components=[{"name": "Tờ khai (mẫu)", "copies": 1}, {"name": "Giấy tờ tùy thân", "copies": 1}],
                fees=[{"name": "Lệ phí", "amount": fee}] if fee else [], time_limit=limit, time_unit=unit,
                paper_result=paper, eligible_full_online=eligible,
            ),
        )  # fmt: skip
        offer = catalogue.create_service(
            db_session=db_session,
            actor=actor,
            service_in=PublicServiceCreate(
                procedure_id=procedure.id,
                agency_id=agency.id,
                online_level=online,
                partial_reason="in_person_required" if online == "partial" else None,
            ),
        )
        created["procedures"] += 1
        created["public_services"] += 1
        offers.append(offer)
    citizen = auth.get_citizen(db_session=db_session, national_id="001099012345")
    if not offers or citizen is None:
        return created
    citizen_actor = auth.citizen_actor(citizen)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=12)
    paths = [
        ["receive", "start", "approve", "return_result"],
        ["receive", "start", "request_supplement"],
        ["receive", "start"],
        ["receive"],
        [],
    ]
    for n, path in enumerate(paths):
        offer = offers[n % len(offers)]
        at = start + dt.timedelta(days=2 * n)
        dossier = service.create(
            db_session=db_session,
            actor=citizen_actor,
            dossier_in=DossierCreate(public_service_id=offer.id, digitised=True),
            at=at,
        )
        for step, action in enumerate(path, start=1):
            service.transition(
                db_session=db_session,
                actor=actor,
                dossier=dossier,
                action_in=DossierAction(action=action, note="Dữ liệu mẫu", electronic_result=True),
                at=at + dt.timedelta(hours=3 * step),
            )
        created["dossiers"] += 1
    return created
