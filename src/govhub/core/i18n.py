"""Vietnamese first, English beside: message catalogues and number/date formats by locale."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"
TIMEZONE = "Asia/Ho_Chi_Minh"
DATE_PATTERN = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
DATETIME_PATTERN = {"vi": "HH:mm dd/MM/yyyy", "en": "d MMM yyyy, HH:mm"}


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; it is translated where it is shown."""
    return message


# Values stored in the database and shown through _(value) in pages.
CORE_LABELS = (
    N_("system_admin"),
    N_("org_admin"),
    N_("operator"),
    N_("auditor"),
    N_("ministry"),
    N_("central_agency"),
    N_("ministry_unit"),
    N_("province"),
    N_("provincial_department"),
    N_("commune"),
    N_("enterprise"),
    N_("database_owner"),
    N_("other"),
    N_("district"),
    N_("provinces"),
    N_("districts"),
    N_("communes"),
)


def normalise(locale: str | None) -> str:
    return locale if locale in LOCALES else DEFAULT_LOCALE


@lru_cache
def translations(locale: str) -> NullTranslations:
    """Compiles the .po catalogue in memory, so the repository holds no generated binaries."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(locale: str, message: str) -> str:
    return translations(normalise(locale)).gettext(message)


def number(value: int | float | Decimal | None, locale: str, digits: int = 0) -> str:
    """68.933 in Vietnamese, 68,933 in English."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=normalise(locale))


def percent(value: float | Decimal | None, locale: str, digits: int = 1) -> str:
    """A ratio 0.528 becomes 52,8% in Vietnamese and 52.8% in English."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=normalise(locale))


def date(value: dt.date | dt.datetime | None, locale: str) -> str:
    """20/11/2022 in Vietnamese."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    locale = normalise(locale)
    return format_date(value, DATE_PATTERN[locale], locale=locale)


def datetime(value: dt.datetime | None, locale: str) -> str:
    if value is None:
        return "—"
    locale = normalise(locale)
    return format_datetime(value, DATETIME_PATTERN[locale], tzinfo=TIMEZONE, locale=locale)


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(locale).capitalize()
