"""Datetimes from people and query strings: a time without a zone means Vietnamese local time (UTC+7)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def assume_vietnam(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=VIETNAM) if value.tzinfo is None else value


# Use for every datetime taken from input, so a naive value never reaches a timezone-aware column.
LocalDatetime = Annotated[dt.datetime, AfterValidator(assume_vietnam)]
