"""The audit log page for auditors and system administrators."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from govhub.core.audit import service
from govhub.core.audit.schemas import AuditQuery
from govhub.core.auth.permissions import AUDIT_READ
from govhub.core.deps import get_db_session
from govhub.core.errors import Problem
from govhub.core.pages import blank_to_none, error_lines, page_actor
from govhub.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/audit")
def audit_page(request: Request, db_session: Session = Depends(get_db_session)) -> Response:
    page_actor(request, db_session, AUDIT_READ)
    raw = blank_to_none(dict(request.query_params))
    raw.pop("lang", None)
    try:
        params = AuditQuery.model_validate({**raw, "limit": 50})
    except ValidationError as exc:
        raise Problem(400, "; ".join(error_lines(exc))) from exc
    total, events = service.query(db_session=db_session, params=params)
    base = "/admin/audit?" + "&".join(
        f"{k}={v}" for k, v in raw.items() if v is not None and k not in ("offset", "limit")
    )
    return render(
        request,
        "audit.html",
        {"events": events, "total": total, "params": params, "base": base},
    )
