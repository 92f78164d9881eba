"""Exchange pages: overview, registry, access requests and the live transaction view, on the shared layout."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from govhub.core import i18n
from govhub.core.actor import Actor
from govhub.core.audit.service import mask
from govhub.core.deps import EntityId, get_db_session
from govhub.core.errors import Problem
from govhub.core.i18n import N_
from govhub.core.orgs import service as orgs
from govhub.core.pages import checked_form, flash, page_actor
from govhub.core.timeutil import VIETNAM
from govhub.exchange import charts, service
from govhub.exchange.models import Transaction
from govhub.exchange.permissions import EXCHANGE_MANAGE, EXCHANGE_READ, TRANSACTIONS_ALL
from govhub.exchange.schemas import AccessDecision, AccessRequestCreate
from govhub.web.templating import add_template_dir, render, request_locale

add_template_dir(Path(__file__).resolve().parent / "templates")
router = APIRouter(include_in_schema=False)
CHART_DAYS = 30
NATIONAL_ID_IN_PATH = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
# Service-layer messages people meet on these pages; marked here so the catalogue translates them.
KNOWN_PROBLEMS = (
    N_("You can only manage the exchange registry of your own organisation and its units."),
    N_("Give a reason when you refuse a request."),
    N_("Choose approve or refuse."),
    N_("Access request filed; the provider's managers will decide."),
    N_("Request approved; the right is granted."),
    N_("Request refused; the reason is recorded."),
)
# Stored values shown through _(value) in the templates.
STORED_LABELS = (
    N_("national_database"),
    N_("information_system"),
    N_("pending"),
    N_("approved"),
    N_("refused"),
)
FIELD_LABELS = {
    "consumer_subsystem_id": N_("Consumer subsystem"),
    "service_id": N_("Service"),
    "purpose": N_("Purpose and legal basis"),
    "reason": N_("Reason"),
}


def _t(request: Request, message: str) -> str:
    return i18n.gettext(request_locale(request), message)


def _problem_text(request: Request, exc: Problem) -> str:
    return _t(request, exc.detail)


def _form_errors(request: Request, exc: ValidationError) -> str:
    """One readable line per field, with the field's name in the reader's language."""
    lines = []
    for error in exc.errors():
        field = str(error.get("loc", ("",))[0])
        lines.append(f"{_t(request, FIELD_LABELS.get(field, field))}: {error.get('msg')}")
    return "; ".join(lines)


def _vn_today() -> dt.date:
    return dt.datetime.now(VIETNAM).date()


class Names:
    """Identifiers and names of subsystems and services, read once per page."""

    def __init__(self, db_session: Session, instance: str) -> None:
        self.members = {m.id: m for m in service.list_members(db_session=db_session)}
        self.subsystems = {s.id: s for s in service.list_subsystems(db_session=db_session)}
        self.services = {s.id: s for s in service.list_services(db_session=db_session)}
        self.instance = instance

    def subsystem(self, subsystem_id: int | None) -> str:
        row = self.subsystems.get(subsystem_id or 0)
        if row is None:
            return "—"
        member = self.members[row.member_id]
        return f"{self.instance}/{member.member_class}/{member.member_code}/{row.code}"

    def service(self, service_id: int | None) -> str:
        row = self.services.get(service_id or 0)
        return f"{self.subsystem(row.subsystem_id)}/{row.code}" if row else "—"

    def organisation_of_service(self, service_id: int) -> int:
        return self.members[self.subsystems[self.services[service_id].subsystem_id].member_id].organisation_id

    def organisation_of_subsystem(self, subsystem_id: int) -> int:
        return self.members[self.subsystems[subsystem_id].member_id].organisation_id


# --- overview ------------------------------------------------------------------------------------------


@router.get("/exchange")
def overview_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    page_actor(request, db_session, EXCHANGE_READ)
    today = _vn_today()
    figures = service.overview(db_session=db_session)
    day = service.total_transactions(db_session=db_session, start=today, end=today + dt.timedelta(days=1))
    month = service.total_transactions(
        db_session=db_session, start=today.replace(day=1), end=today + dt.timedelta(days=1)
    )
    return render(
        request,
        "exchange_overview.html",
        {
            "figures": figures,
            "today": day,
            "month": month,
            "enabled_share": figures["enabled_services"] / figures["services"]
            if figures["services"]
            else None,
            "month_success": month["succeeded"] / month["total"] if month["total"] else None,
            "tab": "overview",
        },
    )


# --- registry ------------------------------------------------------------------------------------------


def _registry(db_session: Session, actor: Actor, names: Names) -> list[dict[str, Any]]:
    """Members → subsystems → services, with base URLs only for those who manage the provider."""
    members = []
    for member in sorted(names.members.values(), key=lambda m: (m.member_class, m.member_code)):
        organisation = orgs.get(db_session=db_session, organisation_id=member.organisation_id)
        manages = service.may_manage(
            db_session=db_session, actor=actor, organisation_id=member.organisation_id
        )
        subsystems = []
        for sub in sorted(
            (s for s in names.subsystems.values() if s.member_id == member.id), key=lambda s: s.code
        ):
            services = [
                {
                    "row": svc,
                    "identifier": names.service(svc.id),
                    "endpoints": service.endpoints_of(db_session=db_session, service_id=svc.id),
                    "base_url": svc.base_url if manages else None,
                }
                for svc in sorted(names.services.values(), key=lambda s: s.code)
                if svc.subsystem_id == sub.id
            ]
            subsystems.append({"row": sub, "identifier": names.subsystem(sub.id), "services": services})
        members.append({"row": member, "organisation": organisation, "subsystems": subsystems})
    return members


def _rights(db_session: Session, names: Names) -> list[dict[str, Any]]:
    endpoints: dict[int, Any] = {}
    groups = {g.id: g for g in service.list_groups(db_session=db_session)}
    rows = []
    for right in service.list_rights(db_session=db_session):
        if right.service_id not in endpoints:
            endpoints[right.service_id] = {
                e.id: e for e in service.endpoints_of(db_session=db_session, service_id=right.service_id)
            }
        group = groups.get(right.group_id or 0)
        rows.append(
            {
                "row": right,
                "service": names.service(right.service_id),
                "subject": names.subsystem(right.subsystem_id) if right.subsystem_id else None,
                "group": group,
                "group_members": [
                    names.subsystem(s.id)
                    for s in service.group_members(db_session=db_session, group_id=group.id)
                ]
                if group
                else [],
                "endpoint": endpoints[right.service_id].get(right.endpoint_id or 0),
            }
        )
    return rows


@router.get("/exchange/registry")
def registry_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, EXCHANGE_READ)
    names = Names(db_session, request.app.state.settings.instance)
    return render(
        request,
        "exchange_registry.html",
        {
            "members": _registry(db_session, actor, names),
            "rights": _rights(db_session, names),
            "tab": "registry",
        },
    )


# --- access requests -----------------------------------------------------------------------------------


@router.get("/exchange/requests")
def requests_page(
    request: Request,
    status: Literal["pending", "approved", "refused"] | None = None,
    db_session: Session = Depends(get_db_session),
) -> Response:
    actor = page_actor(request, db_session, EXCHANGE_READ)
    names = Names(db_session, request.app.state.settings.instance)
    may = {}  # organisation id → may this actor manage it

    def manages(organisation_id: int) -> bool:
        if organisation_id not in may:
            may[organisation_id] = actor.can(EXCHANGE_MANAGE) and service.may_manage(
                db_session=db_session, actor=actor, organisation_id=organisation_id
            )
        return may[organisation_id]

    rows = [
        {
            "row": r,
            "consumer": names.subsystem(r.consumer_subsystem_id),
            "service": names.service(r.service_id),
            "can_decide": r.status == "pending" and manages(names.organisation_of_service(r.service_id)),
        }
        for r in service.list_access_requests(db_session=db_session, status=status)
    ]
    own_subsystems = [
        (s.id, names.subsystem(s.id))
        for s in names.subsystems.values()
        if manages(names.organisation_of_subsystem(s.id))
    ]
    return render(
        request,
        "exchange_requests.html",
        {
            "requests": rows,
            "status": status or "",
            "own_subsystems": sorted(own_subsystems, key=lambda x: x[1]),
            "services": sorted(
                ((s.id, names.service(s.id), s.name) for s in names.services.values()), key=lambda x: x[1]
            ),
            "tab": "requests",
        },
    )


@router.post("/exchange/requests")
async def file_request(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, EXCHANGE_MANAGE)
    form = await checked_form(request)
    try:
        request_in = AccessRequestCreate.model_validate(
            {k: str(form.get(k, "")).strip() for k in ("consumer_subsystem_id", "service_id", "purpose")}
        )
        row = service.request_access(db_session=db_session, actor=actor, request_in=request_in)
    except ValidationError as exc:
        flash(request, _form_errors(request, exc), "error")
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(request, _problem_text(request, exc), "error")
    else:
        flash(request, f"#{row.id}: {_t(request, KNOWN_PROBLEMS[3])}")
    return RedirectResponse("/exchange/requests", status_code=303)


@router.post("/exchange/requests/{request_id}/decision")
async def decide_request(
    request: Request, request_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = page_actor(request, db_session, EXCHANGE_MANAGE)
    form = await checked_form(request)
    choice = str(form.get("decision", ""))
    reason = str(form.get("reason", "")).strip()
    if choice not in ("approve", "refuse"):
        flash(request, _t(request, KNOWN_PROBLEMS[2]), "error")
        return RedirectResponse("/exchange/requests", status_code=303)
    if choice == "refuse" and len(reason) < 3:
        flash(request, _t(request, KNOWN_PROBLEMS[1]), "error")
        return RedirectResponse("/exchange/requests", status_code=303)
    try:
        decision = AccessDecision(approve=choice == "approve", reason=reason or _t(request, N_("Approved")))
        service.decide(db_session=db_session, actor=actor, request_id=request_id, decision=decision)
    except ValidationError as exc:
        flash(request, _form_errors(request, exc), "error")
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(request, _problem_text(request, exc), "error")
    else:
        flash(request, f"#{request_id}: {_t(request, KNOWN_PROBLEMS[4 if decision.approve else 5])}")
    return RedirectResponse("/exchange/requests", status_code=303)


# --- transactions --------------------------------------------------------------------------------------


def _ms_to_datetime(ms: int | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC) if ms is not None else None


def _client(row: Transaction) -> str:
    parts = (row.client_instance, row.client_member_class, row.client_member_code, row.client_subsystem_code)
    return "/".join(str(p) for p in parts) if row.client_member_class else "—"


def _service(row: Transaction) -> str:
    parts = (
        row.service_instance,
        row.service_member_class,
        row.service_member_code,
        row.service_subsystem_code,
        row.service_code,
    )
    return "/".join(str(p) for p in parts) if row.service_code else "—"


def _rest_path(row: Transaction) -> str:
    """The provider-side path: the record keeps the whole /r1/… path, whose identifiers have their own columns."""
    service_part = _service(row)
    prefix = f"/r1/{service_part}"
    if service_part != "—" and row.rest_path.startswith(prefix):
        return row.rest_path[len(prefix) :] or "/"
    return row.rest_path


def _masked_path(path: str) -> str:
    """ID numbers in a path are personal data: the page shows their last three digits only."""
    return NATIONAL_ID_IN_PATH.sub(lambda m: mask(m.group(0)) or "", path)


@router.get("/exchange/transactions")
def transactions_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, EXCHANGE_READ)
    locale = request_locale(request)
    today = _vn_today()
    first = today - dt.timedelta(days=CHART_DAYS - 1)
    counts = service.visible_daily_counts(
        db_session=db_session, actor=actor, start=first, end=today + dt.timedelta(days=1)
    )
    days = [
        (first + dt.timedelta(days=i), *counts.get(first + dt.timedelta(days=i), (0, 0)))
        for i in range(CHART_DAYS)
    ]
    ok_today, bad_today = counts.get(today, (0, 0))
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    last_hour, _ = service.list_transactions(db_session=db_session, actor=actor, since=hour_ago, limit=1)
    _total, latest = service.list_transactions(db_session=db_session, actor=actor, limit=50)
    labels = charts.Labels(
        title=i18n.gettext(locale, "Transactions per day, last 30 days"),
        succeeded=i18n.gettext(locale, "succeeded"),
        failed=i18n.gettext(locale, "failed"),
        day=lambda d: d.strftime("%d/%m") if locale == "vi" else d.strftime("%d %b"),
        number=lambda n: i18n.number(n, locale),
    )
    rows = [
        {
            "row": t,
            "at": _ms_to_datetime(t.request_in_ts),
            "client": _client(t),
            "service": _service(t),
            "path": _masked_path(_rest_path(t)),
            "duration": t.response_out_ts - t.request_in_ts,
        }
        for t in latest
    ]
    return render(
        request,
        "exchange_transactions.html",
        {
            "today": {"total": ok_today + bad_today, "succeeded": ok_today, "failed": bad_today},
            "last_hour": last_hour,
            "window_total": sum(ok + bad for _d, ok, bad in days),
            "chart": charts.daily_bars(days, labels),
            "rows": rows,
            "sees_all": actor.can(TRANSACTIONS_ALL),
            "tab": "transactions",
        },
    )
