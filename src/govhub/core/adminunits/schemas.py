"""Read models for administrative units, so the API never exposes ORM objects or their lazy relations."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class AdminUnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    structure: str
    level: str
    code: str
    name: str
    unit_type: str
    parent_id: int | None
    province_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class SuccessionRead(BaseModel):
    """One edge of the 2025 reform, with the unit on the other side of it."""

    model_config = ConfigDict(from_attributes=True)

    old_id: int
    new_id: int
    kind: str
    is_default: bool
    effective: dt.date
    unit: AdminUnitRead


class LoadReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    units: dict[str, dict[str, int]]
    units_inserted: int
    units_updated: int
    successions: int
    successions_inserted: int
    successions_updated: int
    skipped: int
    issues: dict[str, int]
    examples: dict[str, list[str]]
    seconds: float
