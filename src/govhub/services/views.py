"""Pages: citizens find a service, file and follow a dossier; officers work their queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from govhub.core import i18n
from govhub.core.deps import EntityId, get_database, get_db_session
from govhub.core.errors import NotFound, Problem
from govhub.core.orgs import service as orgs
from govhub.core.pages import blank_to_none, checked_form, current_actor, error_lines, flash, page_actor
from govhub.services import api, catalogue, prefill, rules, service
from govhub.services import status as st
from govhub.services.calendar import LOCAL
from govhub.services.models import Dossier
from govhub.services.permissions import SERVICES_READ
from govhub.services.schemas import Applicant, DossierAction, DossierCreate, Rating
from govhub.web.templating import add_template_dir, render, request_locale

router = APIRouter(include_in_schema=False)
add_template_dir(Path(__file__).resolve().parent / "templates")


def _common(dossier: Dossier, db_session: Session) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    return {
        "d": dossier,
        "labels": st.LABELS,
        "procedure": service.procedure_of(db_session=db_session, dossier=dossier),
        "agency": orgs.get(db_session=db_session, organisation_id=dossier.agency_id),
        "events": service.events(db_session=db_session, dossier=dossier),
        "files": service.attachments(db_session=db_session, dossier=dossier),
        "open_timeliness": service.open_timeliness(dossier, now),
        "masked_id": api.mask(dossier.national_id),
    }


@router.get("/services")
def catalogue_page(
    request: Request, q: str | None = None, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = current_actor(request, db_session)
    q = (q or "").strip()[:100] or None
    total, rows = catalogue.list_services(db_session=db_session, q=q, limit=100)
    return render(
        request,
        "services_catalogue.html",
        {"rows": rows, "total": total, "q": q or "", "is_citizen": bool(actor and service.is_citizen(actor))},
    )


@router.post("/services/{service_id}/start")
async def start_dossier(request: Request, service_id: EntityId) -> Response:
    """Creates the draft with its code, then asks the population database to fill it in."""
    database = get_database(request)
    await checked_form(request)
    with database.session() as db_session:
        actor = page_actor(request, db_session)
        if not service.is_citizen(actor):
            raise Problem(403, "Online filing is for citizens; officers enter desk dossiers in their queue.")
        dossier = service.create(
            db_session=db_session,
            actor=actor,
            dossier_in=DossierCreate(public_service_id=service_id, submit=False),
        )
        dossier_id, code, national_id = dossier.id, dossier.code, dossier.national_id or ""
        target = prefill.target_from(rules.prefill_config(db_session=db_session))
    result = await prefill.lookup(target, national_id=national_id, user_id=api.user_id_for(actor), issue=code)
    with database.session() as db_session:
        dossier = db_session.get(Dossier, dossier_id)
        if result.found and result.person:
            service.apply_prefill(db_session=db_session, dossier=dossier, person=result.person)
            flash(
                request,
                i18n.gettext(
                    request_locale(request),
                    "Your details were filled in from the national population database.",
                ),
            )
        else:
            flash(
                request,
                i18n.gettext(
                    request_locale(request),
                    "Your details could not be fetched automatically; please type them.",
                ),
                "error",
            )
    return RedirectResponse(f"/services/dossiers/{dossier_id}", status_code=303)


def _citizen_dossier(request: Request, db_session: Session, dossier_id: int) -> tuple[Any, Dossier]:
    actor = page_actor(request, db_session)
    if not service.is_citizen(actor):
        return actor, service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    return actor, service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)


@router.get("/services/dossiers/{dossier_id}")
def citizen_dossier_page(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    actor, dossier = _citizen_dossier(request, db_session, dossier_id)
    if not service.is_citizen(actor):
        return RedirectResponse(f"/officer/dossiers/{dossier_id}", status_code=303)
    context = _common(dossier, db_session)
    context["actions"] = st.allowed(dossier.status, st.CITIZEN)
    context["form"] = dossier.form_data or {}
    return render(request, "services_dossier.html", context)


async def _save_files(
    request: Request, db_session: Session, actor: Any, dossier: Dossier, form: dict[str, Any]
) -> list[str]:
    problems = []
    limit = request.app.state.settings.max_body_bytes
    for key, value in form.items():
        if not key.startswith("file_") or not isinstance(value, UploadFile) or not value.filename:
            continue
        content = await value.read(limit + 1)
        try:
            service.add_attachment(
                db_session=db_session,
                actor=actor,
                dossier=dossier,
                component=str(form.get(f"component_{key[5:]}", ""))[:300],
                filename=value.filename,
                content_type=(value.content_type or "").split(";")[0].strip(),
                content=content,
                max_bytes=limit,
            )
        except Problem as exc:
            problems.append(f"{value.filename[:80]}: {exc.detail}")
    return problems


@router.post("/services/dossiers/{dossier_id}/submit")
async def submit_dossier(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    form = await checked_form(request)
    actor, dossier = _citizen_dossier(request, db_session, dossier_id)
    fields = blank_to_none({k: v for k, v in form.items() if isinstance(v, str)})
    back = RedirectResponse(f"/services/dossiers/{dossier_id}", status_code=303)
    try:
        applicant = Applicant.model_validate(
            {k: fields.get(k) for k in ("full_name", "date_of_birth", "gender", "address", "phone", "email")}
            | {"national_id": dossier.national_id, "full_name": fields.get("full_name") or ""}
        )
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
        return back
    service.fill(db_session=db_session, actor=actor, dossier=dossier, applicant=applicant, form_data={})
    problems = await _save_files(request, db_session, actor, dossier, form)
    if problems:
        flash(request, "; ".join(problems), "error")
        return back
    service.transition(
        db_session=db_session, actor=actor, dossier=dossier, action_in=DossierAction(action="submit")
    )
    flash(
        request,
        i18n.gettext(request_locale(request), "Your dossier was submitted. Keep its code to follow it:")
        + f" {dossier.code}",
    )
    return back


@router.post("/services/dossiers/{dossier_id}/action")
async def citizen_action(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    form = await checked_form(request)
    actor, dossier = _citizen_dossier(request, db_session, dossier_id)
    if str(form.get("action")) == "supplement":
        problems = await _save_files(request, db_session, actor, dossier, form)
        if problems:
            flash(request, "; ".join(problems), "error")
            return RedirectResponse(f"/services/dossiers/{dossier_id}", status_code=303)
    _act(request, db_session, actor, dossier, form)
    return RedirectResponse(f"/services/dossiers/{dossier_id}", status_code=303)


def _act(request: Request, db_session: Session, actor: Any, dossier: Dossier, form: dict[str, Any]) -> None:
    values = blank_to_none(
        {k: v for k, v in form.items() if isinstance(v, str) and not k.startswith("component_")}
    )
    if values.get("new_due_at"):
        try:
            naive = dt.datetime.fromisoformat(str(values["new_due_at"]))
            values["new_due_at"] = (naive if naive.tzinfo else naive.replace(tzinfo=LOCAL)).isoformat()
        except ValueError:
            values["new_due_at"] = "invalid"
    for flag in ("paid_online", "electronic_result"):
        values[flag] = values.get(flag) == "1" if flag in values else None
    try:
        action_in = DossierAction.model_validate({k: v for k, v in values.items() if v is not None})
        service.transition(db_session=db_session, actor=actor, dossier=dossier, action_in=action_in)
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(request, exc.detail, "error")
    else:
        flash(request, f"{dossier.code}: {i18n.gettext(request_locale(request), st.LABELS[dossier.status])}")


@router.post("/services/dossiers/{dossier_id}/rate")
async def rate_dossier(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    form = await checked_form(request)
    actor, dossier = _citizen_dossier(request, db_session, dossier_id)
    try:
        rating_in = Rating.model_validate(
            blank_to_none({"rating": form.get("rating"), "comment": form.get("comment")})
        )
        service.rate(db_session=db_session, actor=actor, dossier=dossier, rating_in=rating_in)
    except ValidationError as exc:
        flash(request, "; ".join(error_lines(exc)), "error")
    except Problem as exc:
        flash(request, exc.detail, "error")
    else:
        flash(request, i18n.gettext(request_locale(request), "Thank you for your rating."))
    return RedirectResponse(f"/services/dossiers/{dossier_id}", status_code=303)


@router.get("/services/track")
def track_page(
    request: Request, code: str | None = None, db_session: Session = Depends(get_db_session)
) -> Response:
    current_actor(request, db_session)
    code = (code or "").strip()[:40]
    result, missing = None, False
    if code:
        try:
            result = service.tracking(db_session=db_session, code=code)
        except NotFound:
            missing = True
    return render(request, "services_track.html", {"code": code, "result": result, "missing": missing})


@router.get("/services/mine")
def my_dossiers(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session)
    _total, rows = service.for_citizen(db_session=db_session, actor=actor, limit=200)
    return render(request, "services_mine.html", {"rows": rows, "labels": st.LABELS})


@router.get("/officer/dossiers")
def queue_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    actor = page_actor(request, db_session, SERVICES_READ)
    total, rows = service.queue(db_session=db_session, actor=actor, limit=200)
    now = dt.datetime.now(dt.UTC)
    return render(
        request,
        "services_queue.html",
        {"rows": [(d, service.open_timeliness(d, now)) for d in rows], "total": total, "labels": st.LABELS},
    )


@router.get("/officer/dossiers/{dossier_id}")
def officer_dossier_page(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    actor = page_actor(request, db_session, SERVICES_READ)
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    context = _common(dossier, db_session)
    context["actions"] = st.allowed(dossier.status, st.OFFICER)
    return render(request, "services_officer_dossier.html", context)


@router.post("/officer/dossiers/{dossier_id}/action")
async def officer_action(
    request: Request, dossier_id: EntityId, db_session: Session = Depends(get_db_session)
) -> Response:
    form = await checked_form(request)
    actor = page_actor(request, db_session, SERVICES_READ)
    dossier = service.get_visible(db_session=db_session, actor=actor, dossier_id=dossier_id)
    _act(request, db_session, actor, dossier, form)
    return RedirectResponse(f"/officer/dossiers/{dossier_id}", status_code=303)
