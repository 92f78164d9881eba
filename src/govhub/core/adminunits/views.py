"""Public pages to browse administrative units on any date and follow a unit from old to new."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from govhub.core.adminunits import service
from govhub.core.adminunits.models import CURRENT, LEGACY
from govhub.core.deps import get_db_session
from govhub.core.errors import Problem
from govhub.core.pages import current_actor
from govhub.web.templating import render

router = APIRouter(include_in_schema=False)
LEVELS = ("province", "district", "commune")


def _parse_day(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Problem(400, f"'{value[:20]}' is not a date; use YYYY-MM-DD.") from exc


@router.get("/adminunits")
def browse(
    request: Request,
    on: str | None = Query(default=None, max_length=10),
    parent: str | None = Query(default=None, pattern=r"^[0-9]{2,5}$"),
    db_session: Session = Depends(get_db_session),
) -> Response:
    current_actor(request, db_session)
    day = _parse_day(on)
    structure = service.structure_on(day)
    parent_unit = None
    if parent:
        parent_level = "province" if len(parent) == 2 else "district"
        parent_unit = service.get(db_session=db_session, structure=structure, level=parent_level, code=parent)
        if parent_unit is None:
            raise Problem(404, f"No unit {parent} in force on {day.isoformat()}.")
        level = "district" if structure == LEGACY and parent_level == "province" else "commune"
    else:
        level = "province"
    units = service.units_valid_on(db_session=db_session, on=day, level=level, parent_code=parent)
    return render(
        request,
        "adminunits.html",
        {
            "day": day,
            "structure": structure,
            "units": units,
            "level": level,
            "parent_unit": parent_unit,
            "can_drill": level != "commune",
            "LEGACY": LEGACY,
            "CURRENT": CURRENT,
        },
    )


@router.get("/adminunits/{structure}/{level}/{code}")
def unit_page(
    request: Request,
    structure: str,
    level: str,
    code: str,
    db_session: Session = Depends(get_db_session),
) -> Response:
    current_actor(request, db_session)
    if structure not in (LEGACY, CURRENT) or level not in LEVELS or not code.isdigit() or len(code) > 5:
        raise Problem(404, "No such administrative unit.")
    unit = service.get(db_session=db_session, structure=structure, level=level, code=code)
    if unit is None:
        raise Problem(404, f"No {level} {code} in the {structure} structure.")
    return render(
        request,
        "adminunit.html",
        {
            "unit": unit,
            "successors": service.successors(db_session=db_session, unit_id=unit.id),
            "predecessors": service.predecessors(db_session=db_session, unit_id=unit.id),
        },
    )
