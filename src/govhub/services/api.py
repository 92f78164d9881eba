"""The services API under /api/v1/services: catalogue, dossiers and their steps, prefill, rules and facts."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit.service import mask
from govhub.core.deps import EntityId, get_database, get_db_session, require, require_actor
from govhub.core.errors import NotFound, Problem
from govhub.core.orgs import service as orgs
from govhub.services import catalogue, facts, prefill, rules, service
from govhub.services import status as st
from govhub.services.models import Dossier, OnlineLevel
from govhub.services.permissions import SERVICES_MANAGE, SERVICES_READ
from govhub.services.schemas import (
    DossierAction,
    DossierCreate,
    DossierPage,
    DossierRead,
    DossierTracking,
    EventRead,
    FactsRead,
    ImportReport,
    PrefillConfigRead,
    PrefillConfigUpdate,
    PrefillRequest,
    PrefillResult,
    ProcedureCreate,
    ProcedurePage,
    ProcedureRead,
    ProcedureUpdate,
    PublicServiceCreate,
    PublicServicePage,
    PublicServiceRead,
    PublicServiceUpdate,
    Rating,
    RulesIn,
    RulesRead,
)

router = APIRouter(prefix="/api/v1/services", tags=["services"])
PERIOD = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
MAX_IMPORT_BYTES = 5_000_000


def dossier_read(dossier: Dossier) -> DossierRead:
    data = {
        c.key: getattr(dossier, c.key) for c in Dossier.__table__.columns if c.key in DossierRead.model_fields
    }
    data["national_id"] = mask(dossier.national_id)
    data["status_label"] = st.LABELS[dossier.status]
    return DossierRead.model_validate(data)


# --- catalogue ----------------------------------------------------------------------------------------


@router.get("/procedures", response_model=ProcedurePage, summary="The procedure catalogue (public)")
def list_procedures(
    q: str | None = Query(default=None, max_length=100),
    sector: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    db_session: Session = Depends(get_db_session),
) -> ProcedurePage:
    total, rows = catalogue.list_procedures(
        db_session=db_session, q=q, sector=sector, limit=limit, offset=offset
    )
    return ProcedurePage(total=total, items=[ProcedureRead.model_validate(r) for r in rows])


@router.post("/procedures", response_model=ProcedureRead, status_code=201)
def create_procedure(
    procedure_in: ProcedureCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> ProcedureRead:
    return ProcedureRead.model_validate(
        catalogue.create_procedure(db_session=db_session, actor=actor, procedure_in=procedure_in)
    )


@router.get("/procedures/{procedure_id}", response_model=ProcedureRead)
def get_procedure(procedure_id: EntityId, db_session: Session = Depends(get_db_session)) -> ProcedureRead:
    return ProcedureRead.model_validate(
        catalogue.get_procedure(db_session=db_session, procedure_id=procedure_id)
    )


@router.patch("/procedures/{procedure_id}", response_model=ProcedureRead)
def update_procedure(
    procedure_id: EntityId,
    procedure_in: ProcedureUpdate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> ProcedureRead:
    procedure = catalogue.get_procedure(db_session=db_session, procedure_id=procedure_id)
    catalogue.update_procedure(
        db_session=db_session, actor=actor, procedure=procedure, procedure_in=procedure_in
    )
    return ProcedureRead.model_validate(procedure)


@router.get("/public-services", response_model=PublicServicePage, summary="Services on offer (public)")
def list_services(
    q: str | None = Query(default=None, max_length=100),
    agency_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    online_level: OnlineLevel | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    db_session: Session = Depends(get_db_session),
) -> PublicServicePage:
    total, rows = catalogue.list_services(
        db_session=db_session, q=q, agency_id=agency_id, online_level=online_level, limit=limit, offset=offset
    )
    return PublicServicePage(total=total, items=[PublicServiceRead.model_validate(s) for s, _p, _o in rows])


@router.post("/public-services", response_model=PublicServiceRead, status_code=201)
def create_service(
    service_in: PublicServiceCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> PublicServiceRead:
    return PublicServiceRead.model_validate(
        catalogue.create_service(db_session=db_session, actor=actor, service_in=service_in)
    )


@router.get("/public-services/{service_id}", response_model=PublicServiceRead)
def get_service(service_id: EntityId, db_session: Session = Depends(get_db_session)) -> PublicServiceRead:
    return PublicServiceRead.model_validate(
        catalogue.get_service(db_session=db_session, service_id=service_id)
    )


@router.patch("/public-services/{service_id}", response_model=PublicServiceRead)
def update_service(
    service_id: EntityId,
    service_in: PublicServiceUpdate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> PublicServiceRead:
    public_service = catalogue.get_service(db_session=db_session, service_id=service_id)
    catalogue.update_service(
        db_session=db_session, actor=actor, service=public_service, service_in=service_in
    )
    return PublicServiceRead.model_validate(public_service)


@router.post(
    "/catalogue/import", response_model=ImportReport, summary="Import procedures and offers (CSV/XLSX)"
)
async def import_catalogue(
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX with the export's columns")],
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> ImportReport:
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise Problem(413, f"The file exceeds {MAX_IMPORT_BYTES} bytes.")
    return catalogue.import_catalogue(
        db_session=db_session, actor=actor, content=content, filename=(file.filename or "upload")[:200]
    )


@router.get("/catalogue/export", summary="The catalogue as CSV or XLSX (public)")
def export_catalogue(
    format: str = Query(default="csv", pattern="^(csv|xlsx)$"), db_session: Session = Depends(get_db_session)
) -> Response:
    if format == "xlsx":
        return Response(
            catalogue.export_xlsx(db_session=db_session),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="catalogue.xlsx"'},
        )
    return Response(
        catalogue.export_csv(db_session=db_session),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalogue.csv"'},
    )


# --- dossiers -----------------------------------------------------------------------------------------


@router.post("/dossiers", response_model=DossierRead, status_code=201)
def create_dossier(
    dossier_in: DossierCreate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> DossierRead:
    return dossier_read(service.create(db_session=db_session, actor=actor, dossier_in=dossier_in))


@router.get(
    "/dossiers", response_model=DossierPage, summary="The officer's queue, or a citizen's own dossiers"
)
def list_dossiers(
    status: Annotated[list[int] | None, Query(max_length=11)] = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> DossierPage:
    if service.is_citizen(actor):
        total, rows = service.for_citizen(db_session=db_session, actor=actor, limit=limit, offset=offset)
    else:
        if not actor.can(SERVICES_READ):
            raise Problem(403, f"Your role does not allow '{SERVICES_READ}'.")
        if status and any(s not in st.LABELS for s in status):
            raise Problem(422, "Status codes are 0 to 10.")
        total, rows = service.queue(
            db_session=db_session, actor=actor, statuses=status, limit=limit, offset=offset
        )
    return DossierPage(total=total, items=[dossier_read(d) for d in rows])


@router.get("/dossiers/{dossier_id}", response_model=DossierRead)
def get_dossier(
    dossier_id: EntityId, db_session: Session = Depends(get_db_session), actor: Actor = Depends(require_actor)
) -> DossierRead:
    return dossier_read(service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id))


@router.get("/dossiers/{dossier_id}/events", response_model=list[EventRead], summary="The process history")
def dossier_events(
    dossier_id: EntityId, db_session: Session = Depends(get_db_session), actor: Actor = Depends(require_actor)
) -> list[EventRead]:
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    return [EventRead.model_validate(e) for e in service.events(db_session=db_session, dossier=dossier)]


@router.post(
    "/dossiers/{dossier_id}/actions",
    response_model=DossierRead,
    summary="Take one step; 409 when the status does not allow it",
)
def act_on_dossier(
    dossier_id: EntityId,
    action_in: DossierAction,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> DossierRead:
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    return dossier_read(
        service.transition(db_session=db_session, actor=actor, dossier=dossier, action_in=action_in)
    )


@router.post("/dossiers/{dossier_id}/attachments", status_code=201, summary="Attach a PDF, JPEG or PNG")
async def attach(
    request: Request,
    dossier_id: EntityId,
    file: Annotated[UploadFile, File()],
    component: Annotated[str, Form(max_length=300)] = "",
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> dict[str, int | str]:
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    limit = request.app.state.settings.max_body_bytes
    content = await file.read(limit + 1)
    attachment = service.add_attachment(
        db_session=db_session,
        actor=actor,
        dossier=dossier,
        component=component,
        filename=file.filename or "file",
        content_type=(file.content_type or "").split(";")[0].strip(),
        content=content,
        max_bytes=limit,
    )
    return {"id": attachment.id, "size": attachment.size, "sha256": attachment.sha256}


@router.post("/dossiers/{dossier_id}/rating", response_model=DossierRead, summary="The citizen's rating")
def rate_dossier(
    dossier_id: EntityId,
    rating_in: Rating,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require_actor),
) -> DossierRead:
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    return dossier_read(
        service.rate(db_session=db_session, actor=actor, dossier=dossier, rating_in=rating_in)
    )


@router.get("/tracking/{code}", response_model=DossierTracking, summary="Public status by dossier code")
def track(
    code: Annotated[str, Path(min_length=5, max_length=40)], db_session: Session = Depends(get_db_session)
) -> DossierTracking:
    return service.tracking(db_session=db_session, code=code)


# --- prefill, rules, facts ----------------------------------------------------------------------------


@router.post("/prefill", response_model=PrefillResult, summary="Look a person up in the population database")
async def prefill_lookup(
    request: Request, lookup_in: PrefillRequest, actor: Actor = Depends(require_actor)
) -> PrefillResult:
    with get_database(request).session() as db_session:
        if service.is_citizen(actor):
            citizen = service.citizen_of(db_session=db_session, actor=actor)
            if citizen is None or citizen.national_id != lookup_in.national_id:
                raise Problem(403, "A citizen may look up only their own ID number.")
        elif not actor.can(SERVICES_READ):
            raise Problem(403, f"Your role does not allow '{SERVICES_READ}'.")
        target = prefill.target_from(rules.prefill_config(db_session=db_session))
    result = await prefill.lookup(
        target, national_id=lookup_in.national_id, user_id=user_id_for(actor), issue=lookup_in.dossier_code
    )
    return PrefillResult(found=result.found, reason=result.reason, person=result.person)


def user_id_for(actor: Actor) -> str:
    """X-Road-UserId: a pseudonymous account reference, never the ID number itself."""
    return f"{actor.kind}:{actor.id or 'cli'}"


@router.get("/settings/prefill", response_model=PrefillConfigRead)
def get_prefill_config(
    db_session: Session = Depends(get_db_session), _actor: Actor = Depends(require(SERVICES_MANAGE))
) -> PrefillConfigRead:
    return _config_read(rules.prefill_config(db_session=db_session))


@router.patch("/settings/prefill", response_model=PrefillConfigRead)
def update_prefill_config(
    config_in: PrefillConfigUpdate,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> PrefillConfigRead:
    return _config_read(rules.update_prefill_config(db_session=db_session, actor=actor, config_in=config_in))


def _config_read(config: object) -> PrefillConfigRead:
    return PrefillConfigRead(
        enabled=config.enabled,  # type: ignore[attr-defined]
        base_url=config.base_url,  # type: ignore[attr-defined]
        client_id=config.client_id,  # type: ignore[attr-defined]
        service_path=config.service_path,  # type: ignore[attr-defined]
        api_key_set=bool(config.api_key),  # type: ignore[attr-defined]
        timeout_seconds=config.timeout_seconds,  # type: ignore[attr-defined]
    )


@router.get("/rules", response_model=list[RulesRead], summary="Every version of the legal rules")
def list_rules(db_session: Session = Depends(get_db_session)) -> list[RulesRead]:
    default = rules.Rules()
    versions = [
        RulesRead(
            version=default.version, effective_from=None, source=default.source, rules=default.as_json()
        )
    ]
    versions += [
        RulesRead(version=r.version, effective_from=r.effective_from, source=r.source, rules=r.rules)
        for r in rules.history(db_session=db_session)
    ]
    return versions


@router.post("/rules", response_model=RulesRead, status_code=201, summary="Add a version of the rules")
def add_rules(
    rules_in: RulesIn,
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_MANAGE)),
) -> RulesRead:
    row = rules.add_version(db_session=db_session, actor=actor, rules_in=rules_in)
    return RulesRead(
        version=row.version, effective_from=row.effective_from, source=row.source, rules=row.rules
    )


@router.get("/facts", response_model=FactsRead, summary="Numerators and denominators per agency and month")
def get_facts(
    period: Annotated[list[str], Query(min_length=1, max_length=24)],
    agency_id: int | None = Query(default=None, ge=1, le=2**31 - 1),
    db_session: Session = Depends(get_db_session),
    actor: Actor = Depends(require(SERVICES_READ)),
) -> FactsRead:
    if any(not re.match(PERIOD, p) for p in period):
        raise Problem(422, "Periods are months written YYYY-MM.")
    agencies = service.officer_agencies(db_session=db_session, actor=actor)
    if agency_id is not None:
        if agencies is not None and agency_id not in agencies:
            raise NotFound(f"Organisation {agency_id}")
        agencies = orgs.subtree_ids(db_session=db_session, organisation_id=agency_id)
    return FactsRead(
        periods=period, facts=facts.compute(db_session=db_session, periods=period, agency_ids=agencies)
    )
