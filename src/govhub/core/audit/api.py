"""Auditors read the log here; nothing in this router writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service
from govhub.core.audit.schemas import AuditEventRead, AuditPage, AuditQuery
from govhub.core.auth.permissions import AUDIT_READ
from govhub.core.deps import get_db_session, require

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("/events", response_model=AuditPage, summary="Audit events, newest first")
def list_events(
    params: Annotated[AuditQuery, Query()],
    db_session: Session = Depends(get_db_session),
    _actor: Actor = Depends(require(AUDIT_READ)),
) -> AuditPage:
    total, rows = service.query(db_session=db_session, params=params)
    return AuditPage(
        total=total,
        limit=params.limit,
        offset=params.offset,
        items=[AuditEventRead.model_validate(r) for r in rows],
    )
