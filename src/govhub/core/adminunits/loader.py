"""Reads the vietnamadminunits data files directly, so loading never touches its online-capable parser."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govhub.core.adminunits.models import CURRENT, CURRENT_START, LEGACY, LEGACY_END

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"
LEVELS = (PROVINCE, DISTRICT, COMMUNE)
CODE_WIDTH = {PROVINCE: 2, DISTRICT: 3, COMMUNE: 5}
# Longest first, so "Thành phố" is not mistaken for a shorter prefix.
COMMUNE_TYPES = ("Thị trấn", "Đặc khu", "Phường", "Xã")
PROVINCE_TYPES = ("Thành phố", "Tỉnh")

UnitKey = tuple[str, str, str]  # (structure, level, code)


@dataclass(frozen=True)
class UnitRow:
    structure: str
    level: str
    code: str
    name: str
    unit_type: str
    parent: UnitKey | None
    province_code: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    @property
    def key(self) -> UnitKey:
        return (self.structure, self.level, self.code)


@dataclass(frozen=True)
class SuccessionRow:
    old: UnitKey
    new: UnitKey
    kind: str  # whole | part
    is_default: bool


@dataclass
class Dataset:
    units: list[UnitRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    # Data oddities by kind, with a few examples each, so a load can report them instead of crashing.
    issues: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, example: str) -> None:
        self.issues[kind] += 1
        samples = self.examples.setdefault(kind, [])
        if len(samples) < 5:
            samples.append(example)


def data_dir() -> Path:
    """Locates the package data without importing the package, whose __init__ pulls in the parser."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vietnamadminunits package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def pad(code: Any, level: str) -> str | None:
    """Codes are identifiers, not numbers: keep the leading zeros the official lists use."""
    if code is None:
        return None
    text = str(code).strip()
    if not text or not text.isdigit():
        return None
    return text.zfill(CODE_WIDTH[level])


def _prefix_type(name: str, types: tuple[str, ...]) -> str | None:
    return next((t for t in types if name.startswith(t + " ")), None)


LEGACY_COLUMNS = (
    "province, provinceCode, provinceKey, district, districtType, districtCode, districtKey, "
    "ward, wardType, wardCode, wardKey"
)
CURRENT_COLUMNS = "province, provinceCode, provinceKey, ward, wardType, wardCode, wardKey"


def _rows(connection: sqlite3.Connection, table: str, columns: str) -> list[dict[str, Any]]:
    connection.row_factory = sqlite3.Row
    sql = f"SELECT {columns} FROM {table}"  # noqa: S608 - fixed names, no input
    return [dict(row) for row in connection.execute(sql)]


def read_dataset(directory: Path | None = None) -> Dataset:
    """Both structures and the 2025 succession, checked for keys that do not resolve."""
    directory = directory or data_dir()
    uri = f"file:{directory / 'dataset.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        legacy = _rows(connection, "admin_units_legacy", LEGACY_COLUMNS)
        current = _rows(connection, "admin_units", CURRENT_COLUMNS)
    converter = json.loads((directory / "converter_2025.json").read_text(encoding="utf-8"))

    dataset = Dataset()
    units: dict[UnitKey, UnitRow] = {}
    legacy_keys = _read_legacy(legacy, units, dataset)
    current_keys = _read_current(current, units, dataset)
    dataset.units = sorted(units.values(), key=lambda u: (LEVELS.index(u.level), u.structure, u.code))
    _read_succession(converter, legacy_keys, current_keys, dataset)
    return dataset


def _province_row(structure: str, row: dict[str, Any], dataset: Dataset) -> UnitRow | None:
    code = pad(row.get("provinceCode"), PROVINCE)
    name = (row.get("province") or "").strip()
    if code is None or not name:
        dataset.note("province without code or name", f"{structure}: {row.get('province')!r}")
        return None
    unit_type = _prefix_type(name, PROVINCE_TYPES)
    if unit_type is None:
        dataset.note("province name without type prefix", name)
        unit_type = "Tỉnh"
    valid_from, valid_to = (None, LEGACY_END) if structure == LEGACY else (CURRENT_START, None)
    return UnitRow(structure, PROVINCE, code, name, unit_type, None, code, valid_from, valid_to)


def _commune_type(structure: str, name: str, column: str | None, code: str, dataset: Dataset) -> str:
    """The name is the legal title; when the wardType column disagrees we trust the name and report it."""
    from_name = _prefix_type(name, COMMUNE_TYPES)
    column = (column or "").strip() or None
    if from_name and column and from_name != column:
        dataset.note("ward type column disagrees with name", f"{structure} {code} {name} ({column})")
    return from_name or column or "Xã"


def _read_legacy(
    rows: list[dict[str, Any]], units: dict[UnitKey, UnitRow], dataset: Dataset
) -> dict[str, UnitKey]:
    """Maps the converter's 'province_district_ward' keys, and bare province keys, to unit keys."""
    keys: dict[str, UnitKey] = {}
    for row in rows:
        province = _province_row(LEGACY, row, dataset)
        if province is None:
            continue
        units.setdefault(province.key, province)
        keys.setdefault(str(row.get("provinceKey")), province.key)
        district_code = pad(row.get("districtCode"), DISTRICT)
        district_name = (row.get("district") or "").strip()
        if district_code is None or not district_name:
            dataset.note("legacy row without district", f"{province.name}: {row.get('ward')!r}")
            continue
        district = UnitRow(
            LEGACY,
            DISTRICT,
            district_code,
            district_name,
            (row.get("districtType") or "").strip() or "Huyện",
            province.key,
            province.code,
            None,
            LEGACY_END,
        )
        units.setdefault(district.key, district)
        ward_code = pad(row.get("wardCode"), COMMUNE)
        ward_name = (row.get("ward") or "").strip()
        prefix = f"{row.get('provinceKey')}_{row.get('districtKey')}_"
        if ward_code is None or not ward_name:
            # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) had no communes.
            dataset.note("legacy district without communes", f"{district_code} {district_name}")
            keys[prefix] = district.key
            continue
        unit_type = _commune_type(LEGACY, ward_name, row.get("wardType"), ward_code, dataset)
        ward = UnitRow(
            LEGACY, COMMUNE, ward_code, ward_name, unit_type, district.key, province.code, None, LEGACY_END
        )
        if ward.key in units:
            dataset.note("duplicate legacy commune code", f"{ward_code} {ward_name}")
            continue
        units[ward.key] = ward
        keys[prefix + str(row.get("wardKey"))] = ward.key
    return keys


def _read_current(
    rows: list[dict[str, Any]], units: dict[UnitKey, UnitRow], dataset: Dataset
) -> dict[tuple[str, str], UnitKey]:
    """Returns (provinceKey, wardKey) mapped to unit keys, the converter's way of naming new communes."""
    keys: dict[tuple[str, str], UnitKey] = {}
    province_keys: dict[str, UnitKey] = {}
    for row in rows:
        province = _province_row(CURRENT, row, dataset)
        if province is None:
            continue
        units.setdefault(province.key, province)
        province_keys[str(row.get("provinceKey"))] = province.key
        ward_code = pad(row.get("wardCode"), COMMUNE)
        ward_name = (row.get("ward") or "").strip()
        if ward_code is None or not ward_name:
            dataset.note("current row without commune", f"{province.name}: {row.get('ward')!r}")
            continue
        unit_type = _commune_type(CURRENT, ward_name, row.get("wardType"), ward_code, dataset)
        ward = UnitRow(
            CURRENT,
            COMMUNE,
            ward_code,
            ward_name,
            unit_type,
            province.key,
            province.code,
            CURRENT_START,
            None,
        )
        if ward.key in units:
            dataset.note("duplicate current commune code", f"{ward_code} {ward_name}")
            continue
        units[ward.key] = ward
        keys[(str(row.get("provinceKey")), str(row.get("wardKey")))] = ward.key
    # Province keys ride along under an empty ward key so the succession reader can resolve them too.
    for province_key, unit_key in province_keys.items():
        keys[(province_key, "")] = unit_key
    return keys


def _read_succession(
    converter: dict[str, Any],
    legacy_keys: dict[str, UnitKey],
    current_keys: dict[tuple[str, str], UnitKey],
    dataset: Dataset,
) -> None:
    """Old → new pairs; an old unit in several new ones is 'part', with the converter's default marked."""
    pairs: dict[tuple[UnitKey, UnitKey], SuccessionRow] = {}

    def add(row: SuccessionRow) -> None:
        if (row.old, row.new) in pairs:
            dataset.note("duplicate succession pair", f"{row.old} → {row.new}")
            return
        pairs[(row.old, row.new)] = row

    for new_key, olds in converter.get("DICT_PROVINCE", {}).items():
        new = current_keys.get((new_key, ""))
        if new is None:
            dataset.note("unresolved new province key", new_key)
            continue
        for old_key in olds:
            old = legacy_keys.get(old_key)
            if old is None:
                dataset.note("unresolved old province key", old_key)
                continue
            add(SuccessionRow(old, new, "whole", True))

    for new_province, wards in converter.get("DICT_PROVINCE_WARD_NO_DIVIDED", {}).items():
        for new_ward, olds in wards.items():
            new = current_keys.get((new_province, new_ward))
            if new is None:
                dataset.note("unresolved new commune key", f"{new_province}_{new_ward}")
                continue
            for old_key in olds:
                old = legacy_keys.get(old_key)
                if old is None:
                    dataset.note("unresolved old commune key", old_key)
                    continue
                add(SuccessionRow(old, new, "whole", True))

    for new_province, olds in converter.get("DICT_PROVINCE_WARD_DIVIDED", {}).items():
        for old_key, targets in olds.items():
            old = legacy_keys.get(old_key)
            if old is None:
                dataset.note("unresolved old commune key", old_key)
                continue
            defaults = sum(bool(t.get("isDefaultNewWard")) for t in targets)
            if defaults != 1:
                dataset.note("split commune without exactly one default", f"{old_key}: {defaults}")
            for target in targets:
                new = current_keys.get((new_province, str(target.get("newWardKey"))))
                if new is None:
                    dataset.note("unresolved new commune key", f"{new_province}_{target.get('newWardKey')}")
                    continue
                add(SuccessionRow(old, new, "part", bool(target.get("isDefaultNewWard"))))

    dataset.successions = list(pairs.values())
