"""The procedure catalogue and the services offering it: CRUD, and CSV/XLSX import with a per-row report."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.errors import Conflict, NotFound, Problem
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import Organisation
from govhub.services.models import FROM_LEGACY, OnlineLevel, Procedure, PublicService
from govhub.services.schemas import (
    ImportReport,
    ImportRowError,
    ProcedureCreate,
    ProcedureUpdate,
    PublicServiceCreate,
    PublicServiceUpdate,
)

COLUMNS = [
    "code",
    "name",
    "sector",
    "gov_level",
    "time_limit",
    "time_unit",
    "paper_result",
    "eligible_full_online",
    "citizen_subject",
    "components",
    "fees",
    "legal_basis",
    "agency_code",
    "online_level",
    "partial_reason",
    "partial_note",
]
MAX_IMPORT_ROWS = 20_000
TRUE = {"1", "true", "yes", "y", "có", "x"}
FALSE = {"0", "false", "no", "n", "không", ""}
LEVEL_WORDS = {"toàn trình": "full", "một phần": "partial", "chưa cung cấp": "none"}


# --- procedures -------------------------------------------------------------------------------------


def get_procedure(*, db_session: Session, procedure_id: int) -> Procedure:
    procedure = db_session.get(Procedure, procedure_id)
    if procedure is None:
        raise NotFound(f"Procedure {procedure_id}")
    return procedure


def procedure_by_code(*, db_session: Session, code: str) -> Procedure | None:
    return db_session.scalar(select(Procedure).where(Procedure.code == code))


def list_procedures(
    *, db_session: Session, q: str | None = None, sector: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[Procedure]]:
    statement = select(Procedure)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(Procedure.name).like(pattern) | Procedure.code.like(pattern))
    if sector:
        statement = statement.where(Procedure.sector == sector)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(statement.order_by(Procedure.code).limit(limit).offset(offset)).all()
    return total, list(rows)


def _procedure_values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


def create_procedure(*, db_session: Session, actor: Actor, procedure_in: ProcedureCreate) -> Procedure:
    if procedure_by_code(db_session=db_session, code=procedure_in.code):
        raise Conflict(f"A procedure with code {procedure_in.code} already exists.")
    procedure = Procedure(**_procedure_values(procedure_in.model_dump(mode="json")))
    db_session.add(procedure)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="services.procedure.create",
        entity_type="svc_procedure",
        entity_id=procedure.id,
        after=audit.snapshot(procedure),
    )
    return procedure


def update_procedure(
    *, db_session: Session, actor: Actor, procedure: Procedure, procedure_in: ProcedureUpdate
) -> Procedure:
    audit.apply_update(
        db_session=db_session,
        actor=actor,
        row=procedure,
        data=procedure_in.model_dump(exclude_unset=True, mode="json"),
        action="services.procedure.update",
        entity_type="svc_procedure",
    )
    return procedure


# --- public services --------------------------------------------------------------------------------


def get_service(*, db_session: Session, service_id: int) -> PublicService:
    service = db_session.get(PublicService, service_id)
    if service is None:
        raise NotFound(f"Public service {service_id}")
    return service


def list_services(
    *,
    db_session: Session,
    q: str | None = None,
    agency_id: int | None = None,
    online_level: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[tuple[PublicService, Procedure, Organisation]]]:
    statement = (
        select(PublicService, Procedure, Organisation)
        .join(Procedure, Procedure.id == PublicService.procedure_id)
        .join(Organisation, Organisation.id == PublicService.agency_id)
    )
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(func.lower(Procedure.name).like(pattern) | Procedure.code.like(pattern))
    if agency_id is not None:
        statement = statement.where(PublicService.agency_id == agency_id)
    if online_level:
        statement = statement.where(PublicService.online_level == online_level)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.execute(
        statement.order_by(Procedure.code, Organisation.code).limit(limit).offset(offset)
    ).all()
    return total, [(s, p, o) for s, p, o in rows]


def _check_partial(level: str, reason: str | None) -> None:
    if level == OnlineLevel.PARTIAL and not reason:
        raise Problem(
            422,
            "A service offered only partly online must say why (partial_reason).",
            errors=[{"field": "partial_reason", "message": "required when online_level is partial"}],
        )


def create_service(*, db_session: Session, actor: Actor, service_in: PublicServiceCreate) -> PublicService:
    get_procedure(db_session=db_session, procedure_id=service_in.procedure_id)
    if orgs.get(db_session=db_session, organisation_id=service_in.agency_id) is None:
        raise Problem(422, f"Organisation {service_in.agency_id} does not exist.")
    _check_partial(service_in.online_level, service_in.partial_reason)
    existing = db_session.scalar(
        select(PublicService).where(
            PublicService.procedure_id == service_in.procedure_id,
            PublicService.agency_id == service_in.agency_id,
        )
    )
    if existing is not None:
        raise Conflict("This agency already offers this procedure.")
    service = PublicService(**service_in.model_dump(mode="json"))
    db_session.add(service)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="services.service.create",
        entity_type="svc_public_service",
        entity_id=service.id,
        after=audit.snapshot(service),
    )
    return service


def update_service(
    *, db_session: Session, actor: Actor, service: PublicService, service_in: PublicServiceUpdate
) -> PublicService:
    before = audit.snapshot(service)
    for name, value in service_in.model_dump(exclude_unset=True, mode="json").items():
        setattr(service, name, value)
    if service.online_level != OnlineLevel.PARTIAL:
        service.partial_reason = None
    _check_partial(service.online_level, service.partial_reason)
    db_session.flush()
    old, new = audit.changes(before, audit.snapshot(service))
    if new:
        audit.record(
            db_session=db_session,
            actor=actor,
            action="services.service.update",
            entity_type="svc_public_service",
            entity_id=service.id,
            before=old,
            after=new,
        )
    return service


# --- import and export ------------------------------------------------------------------------------


def _bool(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{name}: '{value[:20]}' is not yes/no")


def _pairs(value: str, name: str, number_name: str) -> list[dict[str, Any]]:
    """'Tờ khai|1; Bản sao CCCD|1' → [{'name': 'Tờ khai', number_name: 1}, …]."""
    items = []
    for part in value.split(";"):
        if not part.strip():
            continue
        label, _, number = part.partition("|")
        try:
            amount = int(
                number.strip().replace(".", "").replace(",", "") or (1 if number_name == "copies" else 0)
            )
        except ValueError as exc:
            raise ValueError(f"{name}: '{number.strip()[:20]}' is not a whole number") from exc
        items.append({"name": label.strip(), number_name: amount})
    return items


def _level(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return None
    if text.isdigit() and int(text) in FROM_LEGACY:
        return FROM_LEGACY[int(text)].value
    text = LEVEL_WORDS.get(text, text)
    if text not in {level.value for level in OnlineLevel}:
        raise ValueError(f"online_level: '{value[:20]}' is not none/partial/full or 2/3/4")
    return text


def read_rows(content: bytes, filename: str) -> tuple[list[str], list[dict[str, str]]]:
    """CSV (UTF-8, comma or semicolon) or XLSX, first row as header; refuses other files clearly."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        return _xlsx_rows(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(415, "The file is neither UTF-8 CSV nor XLSX.") from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    return [(h or "").strip() for h in reader.fieldnames or []], rows


def _xlsx_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise Problem(415, "The XLSX file cannot be read.") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    result = []
    for values in rows:
        if values is None or all(v is None for v in values):
            continue
        result.append({h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False) if h})
    return header, result


def _row_models(
    db_session: Session, row: dict[str, str]
) -> tuple[ProcedureCreate, tuple[int, str, str | None, str | None] | None]:
    errors: list[str] = []
    data: dict[str, Any] = {k: row.get(k, "").strip() for k in COLUMNS}
    for name in ("paper_result", "eligible_full_online", "citizen_subject"):
        try:
            data[name] = _bool(data[name] or ("1" if name != "eligible_full_online" else "0"), name)
        except ValueError as exc:
            errors.append(str(exc))
    try:
        data["components"] = _pairs(data["components"], "components", "copies")
        data["fees"] = _pairs(data["fees"], "fees", "amount")
    except ValueError as exc:
        errors.append(str(exc))
    offer = None
    try:
        level = _level(data["online_level"])
    except ValueError as exc:
        errors.append(str(exc))
        level = None
    if data["agency_code"]:
        agency = orgs.get_by_code(db_session=db_session, code=data["agency_code"])
        if agency is None:
            errors.append(f"agency_code: no organisation {data['agency_code'][:40]}")
        elif level is None:
            errors.append("online_level: required with agency_code")
        else:
            reason = data["partial_reason"] or None
            if level == "partial" and not reason:
                errors.append("partial_reason: required when online_level is partial")
            offer = (agency.id, level, reason, data["partial_note"] or None)
    fields = {k: data[k] for k in ProcedureCreate.model_fields if k in data}
    fields["legal_basis"] = fields.get("legal_basis") or None
    try:
        procedure_in = ProcedureCreate.model_validate(fields)
    except ValidationError as exc:
        errors.extend(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    if errors:
        raise ValueError("\n".join(errors))
    return procedure_in, offer


def import_catalogue(*, db_session: Session, actor: Actor, content: bytes, filename: str) -> ImportReport:
    """Imports the good rows and reports each bad one; each row is its own savepoint."""
    header, rows = read_rows(content, filename)
    if len(rows) > MAX_IMPORT_ROWS:
        raise Problem(413, f"At most {MAX_IMPORT_ROWS} rows per import; split the file.")
    if "code" not in header:
        raise Problem(422, f"The header row must name the columns: {', '.join(COLUMNS)}.")
    report = ImportReport(
        rows=len(rows),
        procedures_created=0,
        procedures_updated=0,
        services_created=0,
        services_updated=0,
        failed=0,
        errors=[],
    )
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        code = (row.get("code") or "").strip()[:20] or None
        try:
            if code in seen:
                raise ValueError(f"code: {code} appears twice in the file")
            procedure_in, offer = _row_models(db_session, row)
        except ValueError as exc:
            report.failed += 1
            report.errors.append(ImportRowError(row=number, code=code, errors=str(exc).split("\n")))
            continue
        seen.add(procedure_in.code)
        with db_session.begin_nested():
            _upsert(db_session, procedure_in, offer, report)
    audit.record(
        db_session=db_session,
        actor=actor,
        action="services.catalogue.import",
        entity_type="svc_procedure",
        entity_id=filename[:64],
        after=report.model_dump(exclude={"errors"}) | {"codes": sorted(seen)[:500]},
    )
    return report


def _upsert(
    db_session: Session,
    procedure_in: ProcedureCreate,
    offer: tuple[int, str, str | None, str | None] | None,
    report: ImportReport,
) -> None:
    values = procedure_in.model_dump(mode="json")
    procedure = procedure_by_code(db_session=db_session, code=procedure_in.code)
    if procedure is None:
        procedure = Procedure(**values)
        db_session.add(procedure)
        report.procedures_created += 1
    else:
        for name, value in values.items():
            setattr(procedure, name, value)
        report.procedures_updated += 1
    db_session.flush()
    if offer is None:
        return
    agency_id, level, reason, note = offer
    service = db_session.scalar(
        select(PublicService).where(
            PublicService.procedure_id == procedure.id, PublicService.agency_id == agency_id
        )
    )
    if service is None:
        db_session.add(
            PublicService(
                procedure_id=procedure.id,
                agency_id=agency_id,
                online_level=level,
                partial_reason=reason if level == "partial" else None,
                partial_note=note,
            )
        )
        report.services_created += 1
    else:
        service.online_level = level
        service.partial_reason = reason if level == "partial" else None
        service.partial_note = note
        report.services_updated += 1
    db_session.flush()


def export_rows(*, db_session: Session) -> list[list[Any]]:
    """One row per offer, plus one per procedure nobody offers yet; the import reads it back."""
    rows: list[list[Any]] = [COLUMNS]
    offers = db_session.execute(
        select(Procedure, PublicService, Organisation.code)
        .outerjoin(PublicService, PublicService.procedure_id == Procedure.id)
        .outerjoin(Organisation, Organisation.id == PublicService.agency_id)
        .order_by(Procedure.code, Organisation.code)
    ).all()
    for procedure, service, agency_code in offers:
        rows.append(
            [
                procedure.code,
                procedure.name,
                procedure.sector,
                procedure.gov_level,
                procedure.time_limit,
                procedure.time_unit,
                int(procedure.paper_result),
                int(procedure.eligible_full_online),
                int(procedure.citizen_subject),
                "; ".join(f"{c['name']}|{c.get('copies', 1)}" for c in procedure.components),
                "; ".join(f"{f['name']}|{f.get('amount', 0)}" for f in procedure.fees),
                procedure.legal_basis or "",
                agency_code or "",
                service.online_level if service else "",
                (service.partial_reason or "") if service else "",
                (service.partial_note or "") if service else "",
            ]
        )
    return rows


def export_csv(*, db_session: Session) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(db_session=db_session))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(*, db_session: Session) -> bytes:
    """Control characters a spreadsheet cell cannot hold are dropped, so one odd name never breaks the export."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet("catalogue")
    for row in export_rows(db_session=db_session):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
