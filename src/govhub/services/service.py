"""Dossiers: filing, the status machine with its clock, attachments, ratings, queues and tracking."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.auth.models import Citizen
from govhub.core.errors import Conflict, Forbidden, NotFound, Problem
from govhub.core.orgs import service as orgs
from govhub.services import facts, rules
from govhub.services import status as st
from govhub.services.calendar import Rules, WorkingCalendar, local_day
from govhub.services.catalogue import get_procedure, get_service
from govhub.services.models import (
    Channel,
    Dossier,
    DossierAttachment,
    DossierCodeCounter,
    DossierEvent,
    OnlineLevel,
    Procedure,
    ServiceState,
)
from govhub.services.permissions import SERVICES_PROCESS, SERVICES_READ
from govhub.services.schemas import Applicant, DossierAction, DossierCreate, DossierTracking, Fact, Rating

MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC)


# --- who may see and act ------------------------------------------------------------------------------


def is_citizen(actor: Actor) -> bool:
    return actor.kind == "citizen"


def officer_agencies(*, db_session: Session, actor: Actor) -> set[int] | None:
    """The agencies an officer works for (their organisation's subtree); None means every agency."""
    if "*" in actor.permissions:
        return None
    if actor.organisation_id is None:
        return set()
    return orgs.subtree_ids(db_session=db_session, organisation_id=actor.organisation_id)


def can_see(*, db_session: Session, actor: Actor, dossier: Dossier) -> bool:
    if is_citizen(actor):
        return actor.id is not None and dossier.citizen_id == int(actor.id)
    if not actor.can(SERVICES_READ):
        return False
    agencies = officer_agencies(db_session=db_session, actor=actor)
    return agencies is None or dossier.agency_id in agencies


def get_visible(*, db_session: Session, actor: Actor, dossier_id: int) -> Dossier:
    """Someone else's dossier is reported as missing, so codes and ids reveal nothing."""
    dossier = db_session.get(Dossier, dossier_id)
    if dossier is None or not can_see(db_session=db_session, actor=actor, dossier=dossier):
        raise NotFound(f"Dossier {dossier_id}")
    return dossier


def by_code(*, db_session: Session, code: str) -> Dossier | None:
    return db_session.scalar(select(Dossier).where(Dossier.code == code))


def citizen_of(*, db_session: Session, actor: Actor) -> Citizen | None:
    return db_session.get(Citizen, int(actor.id)) if is_citizen(actor) and actor.id else None


# --- codes and clock ------------------------------------------------------------------------------------


def next_code(*, db_session: Session, agency_id: int, at: dt.datetime, ruleset: Rules) -> str:
    """The national format by default: agency code, receipt day, sequence within the day."""
    agency = orgs.get(db_session=db_session, organisation_id=agency_id)
    if agency is None:
        raise NotFound(f"Organisation {agency_id}")
    day = local_day(at)
    builder = postgresql.insert if db_session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = builder(DossierCodeCounter).values(agency_id=agency_id, day=day, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=["agency_id", "day"], set_={"last": DossierCodeCounter.last + 1}
    ).returning(DossierCodeCounter.last)
    seq = db_session.execute(statement).scalar_one()
    return ruleset.dossier_code_format.format(agency=agency.code, date=day, seq=seq)


def _calendar(db_session: Session, dossier: Dossier) -> tuple[Rules, WorkingCalendar]:
    ruleset = rules.by_version(db_session=db_session, version=dossier.rule_version)
    return ruleset, WorkingCalendar(ruleset)


def _restart_clock(db_session: Session, dossier: Dossier, at: dt.datetime) -> None:
    """ND 61 Art. 19: the time limit counts from the start again once the dossier is complete."""
    _ruleset, calendar = _calendar(db_session, dossier)
    procedure = get_procedure(db_session=db_session, procedure_id=dossier.procedure_id)
    dossier.clock_started_at = calendar.clock_start(at)
    dossier.due_at = calendar.due(at, procedure.time_limit, procedure.time_unit)


def timeliness_at_end(dossier: Dossier, end: dt.datetime, ruleset: Rules) -> str | None:
    """Early, on time or late for a finished dossier (QĐ 766 §2.1); never received means not judged."""
    if dossier.received_at is None or dossier.due_at is None:
        return None
    if dossier.forced_late or end > dossier.due_at:
        return "late"
    if ruleset.early_by_date:
        return "early" if local_day(end) < local_day(dossier.due_at) else "on_time"
    return "early" if end < dossier.due_at else "on_time"


def open_timeliness(dossier: Dossier, now: dt.datetime) -> str | None:
    """Within time or overdue for an open dossier; one waiting for a supplement is judged when it was asked."""
    if dossier.status not in st.OPEN or dossier.due_at is None:
        return None
    judged = dossier.supplement_requested_at if dossier.status == st.SUPPLEMENT else now
    if dossier.forced_late or (judged or now) > dossier.due_at:
        return "overdue"
    return "within_time"


# --- filing ----------------------------------------------------------------------------------------------


def create(
    *, db_session: Session, actor: Actor, dossier_in: DossierCreate, at: dt.datetime | None = None
) -> Dossier:
    """A draft with its code; submitted at once unless the caller wants to complete it first."""
    at = _now(at)
    service = get_service(db_session=db_session, service_id=dossier_in.public_service_id)
    procedure = get_procedure(db_session=db_session, procedure_id=service.procedure_id)
    if service.state not in (ServiceState.PUBLISHED, ServiceState.TESTING):
        raise Conflict("This service is not taking dossiers.")
    citizen = citizen_of(db_session=db_session, actor=actor)
    if is_citizen(actor):
        if dossier_in.channel != Channel.ONLINE:
            raise Problem(422, "Citizens file online (channel 2); the desk enters other channels.")
        if service.online_level == OnlineLevel.NONE:
            raise Conflict("This service is not offered online; file it at the one-stop desk.")
    else:
        if not actor.can(SERVICES_PROCESS):
            raise Forbidden("Your role does not allow entering dossiers.")
        agencies = officer_agencies(db_session=db_session, actor=actor)
        if agencies is not None and service.agency_id not in agencies:
            raise Forbidden("This service belongs to an agency you do not work for.")
    ruleset = rules.current(db_session=db_session, on=local_day(at))
    dossier = Dossier(
        code=next_code(db_session=db_session, agency_id=service.agency_id, at=at, ruleset=ruleset),
        public_service_id=service.id,
        procedure_id=procedure.id,
        agency_id=service.agency_id,
        channel=int(dossier_in.channel),
        status=st.DRAFT,
        period=local_day(at).strftime("%Y-%m"),
        citizen_id=citizen.id if citizen else None,
        form_data=dict(dossier_in.form_data),
        service_full_online=service.online_level == OnlineLevel.FULL,
        eligible_full_online=procedure.eligible_full_online,
        paper_result=procedure.paper_result,
        rule_version=ruleset.version,
        fee_amount=dossier_in.fee_amount or sum(int(f.get("amount", 0)) for f in procedure.fees),
        digitised=dossier_in.digitised,
        created_at=at,
    )
    applicant = dossier_in.applicant
    if applicant is None and citizen is not None:
        applicant = Applicant(
            full_name=citizen.full_name, national_id=citizen.national_id, phone=citizen.phone
        )
    if applicant is not None:
        _set_applicant(dossier, applicant)
    db_session.add(dossier)
    db_session.flush()
    _event(db_session, dossier, actor, "create", st.DRAFT, at, None)
    if dossier_in.submit:
        transition(
            db_session=db_session,
            actor=actor,
            dossier=dossier,
            action_in=DossierAction(action="submit"),
            at=at,
        )
    return dossier


def _set_applicant(dossier: Dossier, applicant: Applicant) -> None:
    dossier.applicant_name = applicant.full_name
    dossier.national_id = applicant.national_id
    dossier.phone = applicant.phone
    dossier.email = applicant.email
    dossier.address = applicant.address
    extra = {"date_of_birth": applicant.date_of_birth.isoformat() if applicant.date_of_birth else None,
             "gender": applicant.gender}  # fmt: skip
    dossier.form_data = {**(dossier.form_data or {}), **{k: v for k, v in extra.items() if v}}


def fill(
    *, db_session: Session, actor: Actor, dossier: Dossier, applicant: Applicant, form_data: dict[str, str]
) -> Dossier:
    """The citizen completes or corrects a draft before submitting it."""
    if dossier.status != st.DRAFT:
        raise Conflict("Only a draft can be edited; this dossier has been submitted.")
    _owner_only(actor, dossier)
    prefilled = (dossier.form_data or {}).get("prefill")
    _set_applicant(dossier, applicant)
    dossier.form_data = {**dossier.form_data, **form_data}
    if prefilled and prefilled.get("full_name") != applicant.full_name:
        dossier.form_data = {**dossier.form_data, "prefill_corrected": "1"}
    db_session.flush()
    return dossier


def apply_prefill(*, db_session: Session, dossier: Dossier, person: dict[str, str | None]) -> Dossier:
    """Fills a draft from the population database and marks the data as reused (QĐ 766 4.3, 4.5b)."""
    if dossier.status != st.DRAFT:
        return dossier
    dossier.applicant_name = person.get("full_name") or dossier.applicant_name
    dossier.national_id = person.get("national_id") or dossier.national_id
    dossier.address = person.get("permanent_address") or dossier.address
    extra = {k: person.get(k) for k in ("date_of_birth", "gender") if person.get(k)}
    dossier.form_data = {
        **(dossier.form_data or {}),
        **extra,
        "prefill": {"full_name": person.get("full_name")},
    }
    dossier.reused_data = True
    dossier.population_db_used = True
    db_session.flush()
    return dossier


def _owner_only(actor: Actor, dossier: Dossier) -> None:
    if not is_citizen(actor) or actor.id is None or dossier.citizen_id != int(actor.id):
        raise Forbidden("Only the citizen who filed the dossier may do this.")


# --- the status machine -------------------------------------------------------------------------------


def _check_actor(db_session: Session, actor: Actor, dossier: Dossier, transition: st.Transition) -> None:
    if is_citizen(actor):
        if transition.by != st.CITIZEN:
            raise Forbidden(f"Only an officer may '{transition.action}' a dossier.")
        _owner_only(actor, dossier)
        return
    if transition.by == st.CITIZEN and transition.action not in st.ALSO_BY_OFFICER:
        raise Forbidden(f"Only the citizen may '{transition.action}' a dossier.")
    if not actor.can(SERVICES_PROCESS):
        raise Forbidden("Your role does not allow processing dossiers.")
    agencies = officer_agencies(db_session=db_session, actor=actor)
    if agencies is not None and dossier.agency_id not in agencies:
        raise Forbidden("This dossier belongs to an agency you do not work for.")


def transition(
    *,
    db_session: Session,
    actor: Actor,
    dossier: Dossier,
    action_in: DossierAction,
    at: dt.datetime | None = None,
) -> Dossier:
    """Moves a dossier by one legal step and records it; an illegal step is a 409 that names the legal ones."""
    at = _now(at)
    transition = st.TRANSITIONS.get(action_in.action)
    if transition is None:
        raise Problem(422, f"Unknown action '{action_in.action}'; known: {', '.join(st.TRANSITIONS)}.")
    if dossier.status not in transition.sources:
        legal = ", ".join(t.action for t in st.TRANSITIONS.values() if dossier.status in t.sources) or "none"
        raise Conflict(
            f"'{action_in.action}' is not allowed when the dossier is '{st.LABELS[dossier.status]}' "
            f"(status {dossier.status}); allowed: {legal}."
        )
    _check_actor(db_session, actor, dossier, transition)
    before = facts.contribution(dossier)
    status_before = dossier.status
    ruleset = rules.by_version(db_session=db_session, version=dossier.rule_version)
    HANDLERS[transition.action](db_session, dossier, action_in, at, ruleset)
    if transition.target is not None:
        dossier.status = transition.target
    facts.apply(db_session, dossier, before)
    db_session.flush()
    _event(db_session, dossier, actor, transition.action, status_before, at, action_in.note)
    audit.record(
        db_session=db_session,
        actor=actor,
        action=f"services.dossier.{transition.action}",
        entity_type="svc_dossier",
        entity_id=dossier.id,
        before={"status": status_before},
        after={"status": dossier.status, "code": dossier.code, "due_at": audit._plain(dossier.due_at)},
    )
    return dossier


def _submit(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    if not d.applicant_name:
        raise Problem(422, "Give the applicant's name before submitting.")
    d.submitted_at = at
    d.period = local_day(at).strftime("%Y-%m")


def _receive(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.received_at = at
    _restart_clock(db_session, d, at)
    d.due_at_original = d.due_at


def _refuse(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    _need_note(a, "why the dossier is refused (Mẫu 03)")
    d.finished_at = at


def _nothing(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    return None


def _request_supplement(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    _need_note(a, "everything the citizen must add, listed once (Mẫu 02)")
    d.supplement_count += 1
    d.supplement_requested_at = at
    if d.supplement_count > r.max_supplements_on_time:
        d.forced_late = True


def _supplement(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.supplement_requested_at = None
    _restart_clock(db_session, d, at)


def _confirm_payment(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.paid_online = bool(a.paid_online)


def _finish(d: Dossier, at: dt.datetime, r: Rules) -> None:
    d.finished_at = at
    d.timeliness = timeliness_at_end(d, at, r)


def _confirm_withdrawal(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.withdrawn = True
    _finish(d, at, r)


def _reject(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    _need_note(a, "why the dossier is not eligible")
    _finish(d, at, r)


def _approve(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.electronic_result = bool(a.electronic_result)
    d.result_code = a.result_code
    _finish(d, at, r)


def _return_result(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    d.returned_at = at


def _reschedule(db_session: Session, d: Dossier, a: DossierAction, at: dt.datetime, r: Rules) -> None:
    """ND 61 Art. 19: one apology (Mẫu 04) with a new date, sent before the old date."""
    _need_note(a, "the reason for the delay (the apology, Mẫu 04)")
    if d.extension_count >= r.max_reschedules:
        raise Conflict(f"The return date may be re-set only {r.max_reschedules} time(s); it already was.")
    if a.new_due_at is None or d.due_at is None or a.new_due_at <= d.due_at:
        raise Problem(422, "Give new_due_at, later than the current due date.")
    if r.apology_notice_hours and at > d.due_at - dt.timedelta(hours=r.apology_notice_hours):
        raise Conflict(
            f"The apology must be sent at least {r.apology_notice_hours} hours before the due date ({r.source})."
        )
    d.extension_count += 1
    d.due_at = a.new_due_at.astimezone(dt.UTC)


def _need_note(a: DossierAction, what: str) -> None:
    if not a.note or not a.note.strip():
        raise Problem(422, f"Give a note: {what}.", errors=[{"field": "note", "message": "required"}])


HANDLERS: dict[str, Any] = {
    "submit": _submit,
    "receive": _receive,
    "refuse": _refuse,
    "start": _nothing,
    "request_supplement": _request_supplement,
    "supplement": _supplement,
    "request_payment": _nothing,
    "confirm_payment": _confirm_payment,
    "withdraw": _nothing,
    "confirm_withdrawal": _confirm_withdrawal,
    "reject": _reject,
    "approve": _approve,
    "return_result": _return_result,
    "reschedule": _reschedule,
}


def _event(
    db_session: Session, d: Dossier, actor: Actor, action: str, before: int, at: dt.datetime, note: str | None
) -> None:
    overdue = bool(d.forced_late or (d.due_at is not None and at > d.due_at))
    db_session.add(
        DossierEvent(
            dossier_id=d.id,
            action=action,
            status_before=before,
            status_after=d.status,
            actor_kind=actor.kind,
            actor_label=actor.label[:200],
            unit_id=actor.organisation_id,
            note=note,
            at=at,
            due_at=d.due_at,
            overdue=overdue,
        )
    )
    db_session.flush()


def events(*, db_session: Session, dossier: Dossier) -> list[DossierEvent]:
    return list(
        db_session.scalars(
            select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
        ).all()
    )


# --- attachments and ratings ---------------------------------------------------------------------------


def add_attachment(
    *,
    db_session: Session,
    actor: Actor,
    dossier: Dossier,
    component: str,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int,
) -> DossierAttachment:
    """Only PDF, JPEG and PNG whose bytes match what they claim to be, within the size limit."""
    ruleset = rules.by_version(db_session=db_session, version=dossier.rule_version)
    if is_citizen(actor):
        _owner_only(actor, dossier)
        if dossier.status not in (st.DRAFT, st.SUPPLEMENT):
            raise Conflict("Files can be added to a draft, or when a supplement is requested.")
    elif dossier.status not in st.OPEN | {st.DRAFT}:
        raise Conflict("Files cannot be added to a finished dossier.")
    limit = min(max_bytes, ruleset.max_attachment_bytes)
    if not content:
        raise Problem(422, "The file is empty.")
    if len(content) > limit:
        raise Problem(413, f"A file may be at most {limit} bytes.")
    if content_type not in ruleset.attachment_types or content_type not in MAGIC:
        raise Problem(415, f"Allowed file types: {', '.join(ruleset.attachment_types)}.")
    if not content.startswith(MAGIC[content_type]):
        raise Problem(415, f"The file's content is not {content_type}.")
    attachment = DossierAttachment(
        dossier_id=dossier.id,
        component=component[:300] or "—",
        filename=filename[:200] or "file",
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    db_session.add(attachment)
    before = facts.contribution(dossier)
    dossier.digitised = True
    facts.apply(db_session, dossier, before)
    db_session.flush()
    return attachment


def attachments(*, db_session: Session, dossier: Dossier) -> list[DossierAttachment]:
    return list(
        db_session.scalars(
            select(DossierAttachment)
            .where(DossierAttachment.dossier_id == dossier.id)
            .order_by(DossierAttachment.id)
        ).all()
    )


def rate(*, db_session: Session, actor: Actor, dossier: Dossier, rating_in: Rating) -> Dossier:
    _owner_only(actor, dossier)
    if dossier.status not in st.FINISHED:
        raise Conflict("A dossier can be rated once it is finished.")
    if dossier.rating is not None:
        raise Conflict("This dossier has already been rated.")
    before = facts.contribution(dossier)
    dossier.rating = rating_in.rating
    dossier.rating_comment = rating_in.comment
    facts.apply(db_session, dossier, before)
    db_session.flush()
    _event(db_session, dossier, actor, "rate", dossier.status, _now(None), f"{rating_in.rating}/5")
    return dossier


# --- lists ----------------------------------------------------------------------------------------------


def queue(
    *,
    db_session: Session,
    actor: Actor,
    statuses: list[int] | None = None,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[int, list[Dossier]]:
    """Dossiers of the officer's agencies, overdue ones first, then by due date."""
    now = _now(now)
    statement = select(Dossier).where(Dossier.status.in_(statuses or sorted(st.OPEN)))
    agencies = officer_agencies(db_session=db_session, actor=actor)
    if agencies is not None:
        statement = statement.where(Dossier.agency_id.in_(sorted(agencies)))
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    overdue = case(((Dossier.forced_late.is_(True)) | (Dossier.due_at < now), 0), else_=1)
    rows = db_session.scalars(
        statement.order_by(
            overdue, Dossier.due_at.is_(None), Dossier.due_at, Dossier.submitted_at, Dossier.id
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return total, list(rows)


def for_citizen(
    *, db_session: Session, actor: Actor, limit: int = 50, offset: int = 0
) -> tuple[int, list[Dossier]]:
    if not is_citizen(actor) or actor.id is None:
        return 0, []
    statement = select(Dossier).where(Dossier.citizen_id == int(actor.id))
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(statement.order_by(Dossier.id.desc()).limit(limit).offset(offset)).all()
    return total, list(rows)


def procedure_of(*, db_session: Session, dossier: Dossier) -> Procedure:
    return get_procedure(db_session=db_session, procedure_id=dossier.procedure_id)


def tracking(*, db_session: Session, code: str) -> DossierTracking:
    """What the code alone reveals (TT 01/2018 Art. 16): status and dates, no names, no notes."""
    dossier = by_code(db_session=db_session, code=code)
    if dossier is None or dossier.status == st.DRAFT:
        raise NotFound(f"Dossier {code}")
    steps = [
        {"action": e.action, "status": e.status_after, "status_label": st.LABELS[e.status_after], "at": e.at}
        for e in events(db_session=db_session, dossier=dossier)
        if e.action not in ("create", "rate")
    ]
    return DossierTracking(
        code=dossier.code,
        status=dossier.status,
        status_label=st.LABELS[dossier.status],
        submitted_at=dossier.submitted_at,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        timeliness=dossier.timeliness or open_timeliness(dossier, _now(None)),
        steps=steps,
    )


# --- facts for the monitor -----------------------------------------------------------------------------


def indicator_facts(
    *,
    db_session: Session,
    periods: list[str],
    agency_ids: set[int] | None = None,
    now: dt.datetime | None = None,
) -> list[Fact]:
    """The monitor's entry point: every services fact (numerator and denominator) per agency and month."""
    return facts.compute(db_session=db_session, periods=periods, agency_ids=agency_ids, now=now)


def month_periods(year: int) -> list[str]:
    return facts.month_periods(year)
