"""Working days in Việt Nam and the legal rules that use them, versioned and named by their source."""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from govhub.core.i18n import TIMEZONE

LOCAL = ZoneInfo(TIMEZONE)

DEFAULT_SOURCE = (
    "ND 61/2018/NĐ-CP Art. 18 (15:00 transfer cut-off), Art. 19 (clock restarts after a supplement; "
    "one apology and new date); TT 01/2018/TT-VPCP Art. 19 (dossier code); QĐ 766/QĐ-TTg §2.1 "
    "(a second supplement request makes a dossier late); public holidays: python 'holidays' VN"
)


@dataclass(frozen=True)
class Rules:
    """Every rule a deadline or timeliness depends on; stored as JSON in a versioned rule set."""

    version: int = 1
    source: str = DEFAULT_SOURCE
    cutoff: str = "15:00"
    office_open: str = "08:00"
    office_close: str = "17:00"
    extra_days_off: tuple[str, ...] = ()
    extra_working_days: tuple[str, ...] = ()
    max_supplements_on_time: int = 1
    max_reschedules: int = 1
    apology_notice_hours: int = 24
    early_by_date: bool = True
    dossier_code_format: str = "{agency}-{date:%y%m%d}-{seq:04d}"
    max_attachment_bytes: int = 5_000_000
    attachment_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff,
            "office_open": self.office_open,
            "office_close": self.office_close,
            "extra_days_off": list(self.extra_days_off),
            "extra_working_days": list(self.extra_working_days),
            "max_supplements_on_time": self.max_supplements_on_time,
            "max_reschedules": self.max_reschedules,
            "apology_notice_hours": self.apology_notice_hours,
            "early_by_date": self.early_by_date,
            "dossier_code_format": self.dossier_code_format,
            "max_attachment_bytes": self.max_attachment_bytes,
            "attachment_types": list(self.attachment_types),
        }

    @classmethod
    def from_json(cls, version: int, source: str, data: dict[str, Any]) -> Rules:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "extra"}
        for name in ("extra_days_off", "extra_working_days", "attachment_types"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(version=version, source=source, **known)


def _hm(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class WorkingCalendar:
    """Saturdays and Sundays off, Vietnamese public holidays (Tết included) and configured extra days."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.off = frozenset(dt.date.fromisoformat(d) for d in rules.extra_days_off)
        self.on = frozenset(dt.date.fromisoformat(d) for d in rules.extra_working_days)
        self.open = _hm(rules.office_open)
        self.close = _hm(rules.office_close)
        self.cutoff = _hm(rules.cutoff)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.on:
            return True
        if day in self.off or day in _public_holidays(day.year):
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def clock_start(self, at: dt.datetime) -> dt.datetime:
        """After the cut-off, or on a day off, the clock starts when the next working day opens."""
        local = at.astimezone(LOCAL)
        if self.is_working_day(local.date()) and local.time() < self.cutoff:
            return at
        day = self.next_working_day(local.date())
        return dt.datetime.combine(day, self.open, LOCAL).astimezone(dt.UTC)

    def due(self, start: dt.datetime, amount: int, unit: str) -> dt.datetime:
        """The legal deadline for a time limit counted from the start of the clock."""
        local = self.clock_start(start).astimezone(LOCAL)
        if unit == "working_days":
            return self._closing(self.add_working_days(local.date(), amount))
        if unit == "hours":
            return self._add_working_hours(local, amount)
        if unit == "days":
            return self._closing(self._on_or_after(local.date() + dt.timedelta(days=amount)))
        if unit == "months":
            return self._closing(self._on_or_after(_add_months(local.date(), amount)))
        raise ValueError(f"unknown time unit {unit}")

    def _on_or_after(self, day: dt.date) -> dt.date:
        """A deadline that falls on a day off moves to the next working day (Civil Code Art. 148)."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def _closing(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.close, LOCAL).astimezone(dt.UTC)

    def _add_working_hours(self, local: dt.datetime, hours: int) -> dt.datetime:
        remaining = dt.timedelta(hours=hours)
        current = local
        while True:
            if not self.is_working_day(current.date()) or current.time() >= self.close:
                day = self.next_working_day(current.date())
                current = dt.datetime.combine(day, self.open, LOCAL)
                continue
            if current.time() < self.open:
                current = dt.datetime.combine(current.date(), self.open, LOCAL)
            closing = dt.datetime.combine(current.date(), self.close, LOCAL)
            if current + remaining <= closing:
                return (current + remaining).astimezone(dt.UTC)
            remaining -= closing - current
            current = closing


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, cal.monthrange(year, month)[1]))


def local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(LOCAL).date()
