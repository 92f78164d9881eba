"""Loads and queries administrative units by date, so callers never hard-code which structure applies."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from govhub.core.adminunits import loader
from govhub.core.adminunits.loader import LEVELS, UnitKey, UnitRow
from govhub.core.adminunits.models import (
    CURRENT,
    CURRENT_START,
    LEGACY,
    LEGACY_END,
    AdminUnit,
    AdminUnitSuccession,
)

Progress = Callable[[str, int, int], None]
CHUNK = 2000
UNIT_FIELDS = ("name", "unit_type", "parent_id", "province_code", "valid_from", "valid_to")


@dataclass
class LoadReport:
    """What a load did, so an operator can see it was complete and what the data lacked."""

    units: dict[str, dict[str, int]] = field(default_factory=dict)  # structure → level → count
    units_inserted: int = 0
    units_updated: int = 0
    successions: int = 0
    successions_inserted: int = 0
    successions_updated: int = 0
    skipped: int = 0  # rows whose parent or succession end could not be resolved at load time
    issues: dict[str, int] = field(default_factory=dict)  # data oddities found by the loader
    examples: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0


def structure_on(on: dt.date) -> str:
    """The 2025 reform switched structures overnight; every date belongs to exactly one."""
    return LEGACY if on <= LEGACY_END else CURRENT


def _valid_on(unit: type[AdminUnit] | Any, on: dt.date) -> ColumnElement[bool]:
    return and_(
        or_(unit.valid_from.is_(None), unit.valid_from <= on),
        or_(unit.valid_to.is_(None), unit.valid_to >= on),
    )


def _chunks(rows: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _tick(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


def _existing_units(db_session: Session) -> dict[UnitKey, dict[str, Any]]:
    columns = [getattr(AdminUnit, name) for name in UNIT_FIELDS]
    rows = db_session.execute(
        select(AdminUnit.id, AdminUnit.structure, AdminUnit.level, AdminUnit.code, *columns)
    ).mappings()
    return {(r["structure"], r["level"], r["code"]): dict(r) for r in rows}


def _upsert_level(
    *,
    db_session: Session,
    rows: list[UnitRow],
    ids: dict[UnitKey, int],
    existing: dict[UnitKey, dict[str, Any]],
    report: LoadReport,
    step: str,
    progress: Progress | None,
) -> None:
    """One level at a time, so parent ids of the level above are already known."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        parent_id = ids.get(row.parent) if row.parent else None
        if row.parent and parent_id is None:
            report.skipped += 1
            continue
        values = {
            "name": row.name,
            "unit_type": row.unit_type,
            "parent_id": parent_id,
            "province_code": row.province_code,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
        }
        current = existing.get(row.key)
        if current is None:
            inserts.append({"structure": row.structure, "level": row.level, "code": row.code, **values})
        elif any(current[k] != v for k, v in values.items()):
            updates.append({"id": current["id"], **values})
    total, done = len(inserts) + len(updates), 0
    _tick(progress, step, 0, total)
    for chunk in _chunks(inserts):
        result = db_session.execute(
            insert(AdminUnit).returning(AdminUnit.id, AdminUnit.structure, AdminUnit.level, AdminUnit.code),
            list(chunk),
        )
        for unit_id, structure, level, code in result:
            ids[(structure, level, code)] = unit_id
        done += len(chunk)
        _tick(progress, step, done, total)
    for chunk in _chunks(updates):
        db_session.execute(update(AdminUnit), list(chunk))
        done += len(chunk)
        _tick(progress, step, done, total)
    report.units_inserted += len(inserts)
    report.units_updated += len(updates)


def _upsert_successions(
    *,
    db_session: Session,
    dataset: loader.Dataset,
    ids: dict[UnitKey, int],
    report: LoadReport,
    progress: Progress | None,
) -> None:
    existing = {
        (old_id, new_id): (succession_id, kind, is_default)
        for succession_id, old_id, new_id, kind, is_default in db_session.execute(
            select(
                AdminUnitSuccession.id,
                AdminUnitSuccession.old_id,
                AdminUnitSuccession.new_id,
                AdminUnitSuccession.kind,
                AdminUnitSuccession.is_default,
            )
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in dataset.successions:
        old_id, new_id = ids.get(row.old), ids.get(row.new)
        if old_id is None or new_id is None:
            report.skipped += 1
            continue
        report.successions += 1
        current = existing.get((old_id, new_id))
        if current is None:
            inserts.append(
                {
                    "old_id": old_id,
                    "new_id": new_id,
                    "kind": row.kind,
                    "is_default": row.is_default,
                    "effective": CURRENT_START,
                }
            )
        elif current[1:] != (row.kind, row.is_default):
            updates.append({"id": current[0], "kind": row.kind, "is_default": row.is_default})
    total, done = len(inserts) + len(updates), 0
    _tick(progress, "successions", 0, total)
    for chunk in _chunks(inserts):
        db_session.execute(insert(AdminUnitSuccession), list(chunk))
        done += len(chunk)
        _tick(progress, "successions", done, total)
    for chunk in _chunks(updates):
        db_session.execute(update(AdminUnitSuccession), list(chunk))
        done += len(chunk)
        _tick(progress, "successions", done, total)
    report.successions_inserted = len(inserts)
    report.successions_updated = len(updates)


def load(*, db_session: Session, progress: Progress | None = None) -> LoadReport:
    """Idempotent upsert by (structure, level, code): safe to rerun after a package update."""
    started = dt.datetime.now(dt.UTC)
    _tick(progress, "reading", 0, 1)
    dataset = loader.read_dataset()
    _tick(progress, "reading", 1, 1)
    report = LoadReport(issues=dict(dataset.issues), examples=dataset.examples)
    existing = _existing_units(db_session)
    ids = {key: row["id"] for key, row in existing.items()}
    for level in LEVELS:
        rows = [u for u in dataset.units if u.level == level]
        for row in rows:
            per_level = report.units.setdefault(row.structure, {})
            per_level[level] = per_level.get(level, 0) + 1
        _upsert_level(
            db_session=db_session,
            rows=rows,
            ids=ids,
            existing=existing,
            report=report,
            step=f"{level} units",
            progress=progress,
        )
    _upsert_successions(db_session=db_session, dataset=dataset, ids=ids, report=report, progress=progress)
    db_session.flush()
    report.seconds = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 3)
    return report


def is_loaded(*, db_session: Session) -> bool:
    """Both structures must be present: statistics across 2025 need the old and the new units."""
    return all(
        db_session.scalar(
            select(exists().where(AdminUnit.structure == structure, AdminUnit.level == "commune"))
        )
        for structure in (LEGACY, CURRENT)
    )


def unit_exists(*, db_session: Session, unit_id: int) -> bool:
    return db_session.get(AdminUnit, unit_id) is not None


def count_units(*, db_session: Session, on: dt.date, level: str) -> int:
    """Per-unit indicators must divide by the units that existed on that day."""
    query = (
        select(func.count()).select_from(AdminUnit).where(AdminUnit.level == level, _valid_on(AdminUnit, on))
    )
    return db_session.scalar(query) or 0


def count_provinces(*, db_session: Session, on: dt.date) -> int:
    return count_units(db_session=db_session, on=on, level="province")


def units_valid_on(
    *,
    db_session: Session,
    on: dt.date,
    level: str,
    parent_code: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AdminUnit]:
    """A date picks the structure; a parent code narrows to its children valid on that date."""
    query = select(AdminUnit).where(AdminUnit.level == level, _valid_on(AdminUnit, on))
    if parent_code is not None:
        parent = aliased(AdminUnit)
        query = query.join(parent, AdminUnit.parent_id == parent.id).where(
            parent.code == parent_code, _valid_on(parent, on)
        )
    query = query.order_by(AdminUnit.code).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(db_session.scalars(query))


def get(*, db_session: Session, structure: str, level: str, code: str) -> AdminUnit | None:
    """Codes repeat across structures and levels, so all three are needed to name a unit."""
    return db_session.scalar(
        select(AdminUnit).where(
            AdminUnit.structure == structure, AdminUnit.level == level, AdminUnit.code == code
        )
    )


def successors(*, db_session: Session, unit_id: int) -> list[tuple[AdminUnitSuccession, AdminUnit]]:
    """Where an old unit went; the default comes first because a split unit's records need one answer."""
    query = (
        select(AdminUnitSuccession, AdminUnit)
        .join(AdminUnit, AdminUnit.id == AdminUnitSuccession.new_id)
        .where(AdminUnitSuccession.old_id == unit_id)
        .order_by(AdminUnitSuccession.is_default.desc(), AdminUnit.code)
    )
    return [(edge, unit) for edge, unit in db_session.execute(query)]


def predecessors(*, db_session: Session, unit_id: int) -> list[tuple[AdminUnitSuccession, AdminUnit]]:
    """What a new unit was formed from, to carry old statistics forward."""
    query = (
        select(AdminUnitSuccession, AdminUnit)
        .join(AdminUnit, AdminUnit.id == AdminUnitSuccession.old_id)
        .where(AdminUnitSuccession.new_id == unit_id)
        .order_by(AdminUnit.level, AdminUnit.code)
    )
    return [(edge, unit) for edge, unit in db_session.execute(query)]


def fold(text: str) -> str:
    """Citizens type 'ha noi' for 'Hà Nội'; đ is a letter of its own, not an accented d, so map it by hand."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def search(
    *,
    db_session: Session,
    q: str,
    on: dt.date | None = None,
    level: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[AdminUnit]:
    """Accent folding runs in Python: ~14k names are cheap to scan and SQL has no portable unaccent."""
    needle = fold(q)
    if not needle:
        return []
    query = select(AdminUnit.id, AdminUnit.name, AdminUnit.level, AdminUnit.code)
    if on is not None:
        query = query.where(_valid_on(AdminUnit, on))
    if level is not None:
        query = query.where(AdminUnit.level == level)
    ranked = []
    for unit_id, name, unit_level, code in db_session.execute(query):
        folded = fold(name)
        position = folded.find(needle)
        if position < 0:
            continue
        # Exact short name first ("Hà Nội" before "Phường Hà Nội Mới"), then higher levels, then code.
        starts_word = position == 0 or folded[position - 1] == " "
        ranked.append((not starts_word, LEVELS.index(unit_level), len(folded), code, unit_id))
    ranked.sort()
    wanted = [unit_id for *_, unit_id in ranked[offset : offset + limit]]
    if not wanted:
        return []
    units = {u.id: u for u in db_session.scalars(select(AdminUnit).where(AdminUnit.id.in_(wanted)))}
    return [units[i] for i in wanted]
