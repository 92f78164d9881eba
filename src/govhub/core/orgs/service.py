"""Organisation tree operations; every write is audited in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.adminunits import service as adminunits
from govhub.core.audit import service as audit
from govhub.core.errors import Conflict, NotFound, Problem
from govhub.core.orgs.models import Organisation
from govhub.core.orgs.schemas import OrganisationCreate, OrganisationUpdate


def get(*, db_session: Session, organisation_id: int) -> Organisation | None:
    return db_session.get(Organisation, organisation_id)


def get_by_code(*, db_session: Session, code: str) -> Organisation | None:
    return db_session.scalar(select(Organisation).where(Organisation.code == code))


def require(*, db_session: Session, organisation_id: int) -> Organisation:
    organisation = get(db_session=db_session, organisation_id=organisation_id)
    if organisation is None:
        raise NotFound(f"Organisation {organisation_id}")
    return organisation


def list_(
    *,
    db_session: Session,
    kind: str | None = None,
    parent_id: int | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Organisation]]:
    statement = select(Organisation)
    if kind:
        statement = statement.where(Organisation.kind == kind)
    if parent_id is not None:
        statement = statement.where(Organisation.parent_id == parent_id)
    if q:
        pattern = f"%{q.lower()}%"
        statement = statement.where(
            func.lower(Organisation.name).like(pattern) | func.lower(Organisation.code).like(pattern)
        )
    total = db_session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db_session.scalars(statement.order_by(Organisation.code).limit(limit).offset(offset)).all()
    return total, list(rows)


def subtree_ids(*, db_session: Session, organisation_id: int) -> set[int]:
    """The organisation and everything below it, by a recursive query both SQLite and PostgreSQL run."""
    tree = (
        select(Organisation.id.label("id"))
        .where(Organisation.id == organisation_id)
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return set(db_session.scalars(select(tree.c.id)).all())


def _check_refs(*, db_session: Session, parent_id: int | None, admin_unit_id: int | None) -> None:
    if parent_id is not None and get(db_session=db_session, organisation_id=parent_id) is None:
        raise Problem(
            422,
            f"Parent organisation {parent_id} does not exist.",
            errors=[{"field": "parent_id", "message": "unknown organisation"}],
        )
    if admin_unit_id is not None and not adminunits.unit_exists(db_session=db_session, unit_id=admin_unit_id):
        raise Problem(
            422,
            f"Administrative unit {admin_unit_id} does not exist.",
            errors=[{"field": "admin_unit_id", "message": "unknown administrative unit"}],
        )


def create(*, db_session: Session, actor: Actor, organisation_in: OrganisationCreate) -> Organisation:
    if get_by_code(db_session=db_session, code=organisation_in.code) is not None:
        raise Conflict(f"An organisation with code {organisation_in.code} already exists.")
    _check_refs(
        db_session=db_session,
        parent_id=organisation_in.parent_id,
        admin_unit_id=organisation_in.admin_unit_id,
    )
    organisation = Organisation(**organisation_in.model_dump())
    db_session.add(organisation)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="organisation.create",
        entity_type="organisation",
        entity_id=organisation.id,
        after=audit.snapshot(organisation),
    )
    return organisation


def update(
    *, db_session: Session, actor: Actor, organisation: Organisation, organisation_in: OrganisationUpdate
) -> Organisation:
    data = organisation_in.model_dump(exclude_unset=True)
    _check_refs(
        db_session=db_session,
        parent_id=data.get("parent_id"),
        admin_unit_id=data.get("admin_unit_id"),
    )
    if data.get("parent_id") is not None and data["parent_id"] in subtree_ids(
        db_session=db_session, organisation_id=organisation.id
    ):
        raise Conflict("An organisation cannot be placed under itself or one of its own units.")
    audit.apply_update(
        db_session=db_session,
        actor=actor,
        row=organisation,
        data=data,
        action="organisation.update",
        entity_type="organisation",
    )
    return organisation


def count(*, db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(Organisation)) or 0


def ancestors(*, db_session: Session, organisation_id: int) -> list[Organisation]:
    """From the root down to the organisation, for breadcrumbs and roll-ups."""
    chain: list[Organisation] = []
    current = get(db_session=db_session, organisation_id=organisation_id)
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = get(db_session=db_session, organisation_id=current.parent_id) if current.parent_id else None
    return list(reversed(chain))
