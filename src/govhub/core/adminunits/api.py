"""Public read-only lookup of administrative units, so forms and partners resolve codes on any date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from govhub.core.adminunits import service
from govhub.core.adminunits.models import AdminUnit, AdminUnitSuccession
from govhub.core.adminunits.schemas import AdminUnitRead, SuccessionRead
from govhub.core.deps import get_db_session
from govhub.core.errors import NotFound

router = APIRouter(prefix="/api/v1/adminunits", tags=["adminunits"])

Structure = Literal["legacy63", "current34"]
Level = Literal["province", "district", "commune"]
CODE_PATTERN = r"^[0-9]{2,5}$"
DbSession = Annotated[Session, Depends(get_db_session)]


@router.get("/", response_model=list[AdminUnitRead])
def list_units(
    db_session: DbSession,
    on: Annotated[
        dt.date | None, Query(description="Date whose structure applies; today by default.")
    ] = None,
    level: Annotated[Level | None, Query()] = None,
    parent: Annotated[str | None, Query(pattern=CODE_PATTERN, description="Code of the parent unit.")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of the name.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[AdminUnit]:
    """Without q: the units of one level valid on a date; with q: a name search, on a date if given."""
    if q is not None and q.strip():
        return service.search(db_session=db_session, q=q, on=on, level=level, limit=limit, offset=offset)
    return service.units_valid_on(
        db_session=db_session,
        on=on or dt.date.today(),
        level=level or "province",
        parent_code=parent,
        limit=limit,
        offset=offset,
    )


def _unit_or_404(db_session: Session, structure: str, level: str, code: str) -> AdminUnit:
    unit = service.get(db_session=db_session, structure=structure, level=level, code=code)
    if unit is None:
        raise NotFound(f"The {level} with code {code} in structure {structure}")
    return unit


CodePath = Annotated[str, Path(pattern=CODE_PATTERN)]


@router.get("/{structure}/{level}/{code}", response_model=AdminUnitRead)
def read_unit(db_session: DbSession, structure: Structure, level: Level, code: CodePath) -> AdminUnit:
    return _unit_or_404(db_session, structure, level, code)


def _succession(edge: AdminUnitSuccession, unit: AdminUnit) -> SuccessionRead:
    return SuccessionRead(
        old_id=edge.old_id,
        new_id=edge.new_id,
        kind=edge.kind,
        is_default=edge.is_default,
        effective=edge.effective,
        unit=AdminUnitRead.model_validate(unit),
    )


@router.get("/{structure}/{level}/{code}/successors", response_model=list[SuccessionRead])
def read_successors(
    db_session: DbSession, structure: Structure, level: Level, code: CodePath
) -> list[SuccessionRead]:
    """Where an old unit went in the 2025 reform; empty for units still in force."""
    unit = _unit_or_404(db_session, structure, level, code)
    return [
        _succession(edge, new) for edge, new in service.successors(db_session=db_session, unit_id=unit.id)
    ]
