"""Audit rows are written in the same transaction as the change, so one never exists without the other."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit.models import AuditEvent
from govhub.core.audit.schemas import AuditQuery

# Never copied into the log, whatever entity they sit on.
SECRET_FIELDS = frozenset({"password", "password_hash", "secret_hash", "token", "secret"})
# Personal data kept out of the log in clear (citizen ID numbers, phone numbers).
PERSONAL_FIELDS = frozenset({"national_id", "phone"})
BOOKKEEPING = frozenset({"updated_at", "last_used_at", "last_login_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def mask(value: str | None) -> str | None:
    """Keeps the last three characters, enough to tell records apart and not enough to identify anyone."""
    if not value:
        return value
    return "*" * max(len(value) - 3, 0) + value[-3:]


def snapshot(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a row's columns with secrets dropped and personal data masked."""
    columns = fields or [c.key for c in obj.__table__.columns]
    result: dict[str, Any] = {}
    for name in columns:
        if name in SECRET_FIELDS:
            continue
        value = getattr(obj, name)
        result[name] = mask(value) if name in PERSONAL_FIELDS else _plain(value)
    return result


def record(
    *,
    db_session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        organisation_id=actor.organisation_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=before,
        after=after,
        ip=actor.ip,
        request_id=actor.request_id,
    )
    db_session.add(event)
    db_session.flush()
    return event


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, so the log reads as a diff; bookkeeping timestamps are noise."""
    keys = [k for k in after if k not in BOOKKEEPING and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def apply_update(
    *,
    db_session: Session,
    actor: Actor,
    row: Any,
    data: dict[str, Any],
    action: str,
    entity_type: str,
) -> dict[str, Any]:
    """Sets the fields, then records only what really changed; returns the new values of those fields."""
    before = snapshot(row)
    for name, value in data.items():
        setattr(row, name, value)
    db_session.flush()
    old, new = changes(before, snapshot(row))
    if new:
        record(
            db_session=db_session,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=getattr(row, "id", None),
            before=old,
            after=new,
        )
    return new


def query(*, db_session: Session, params: AuditQuery) -> tuple[int, list[AuditEvent]]:
    statement = select(AuditEvent)
    for column, value in (
        (AuditEvent.action, params.action),
        (AuditEvent.entity_type, params.entity_type),
        (AuditEvent.entity_id, params.entity_id),
        (AuditEvent.actor_id, params.actor_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if params.since is not None:
        statement = statement.where(AuditEvent.at >= params.since)
    if params.until is not None:
        statement = statement.where(AuditEvent.at < params.until)
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(
        statement.order_by(AuditEvent.id.desc()).limit(params.limit).offset(params.offset)
    ).all()
    return total, list(rows)
