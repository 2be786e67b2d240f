"""Input types for API schemas that keep bad input out of the database.

PostgreSQL refuses NUL characters in text, ids past bigint and decimals wider
than their column, and datetimes near year 1 or 9999 overflow when moved
between time zones: each of those would otherwise surface as a 500 (or, worse,
be stored and break every later read). These types make them a 422.

Every field of every API input model is one of these (or bool, a Literal, a
model made of them): tests/test_api_input_types.py walks both APIs to keep it
so.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

MAX_BIGINT = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2200


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from "\udXXX" in JSON
        raise ValueError("Text must be valid Unicode.") from None
    return value


def _sane_date(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"Dates must fall between {MIN_YEAR} and {MAX_YEAR}.")
    return value


def _sane_datetime(value: datetime) -> datetime:
    # The bound applies to the instant (UTC), so no offset or zone it is later
    # shown in can carry it past what PostgreSQL and Python can read back.
    try:
        day = value.astimezone(UTC).date() if value.tzinfo else value.date()
    except OverflowError:  # 9999-12-31T23:59-14:00 is past year 9999 in UTC
        day = date.max
    _sane_date(day)
    return value


def Text(max_length: int, *, min_length: int = 0) -> type[str]:  # noqa: N802
    """A string of bounded length with no NUL characters."""
    return Annotated[  # type: ignore[return-value]
        str,
        Field(min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]

# Money as the DB stores it: numeric(10, 2), so at most 99 999 999.99; a
# wider value would be a 500 at the INSERT. ("NaN" and "Infinity" are refused
# by pydantic's Decimal.)
MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES = 10, 2
MONEY_MAX = Decimal("99999999.99")
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
]
PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
]
# How many of an invoice item.
QUANTITY_MAX = 1000
Quantity = Annotated[int, Field(ge=1, le=QUANTITY_MAX)]
# Any integer a PostgreSQL integer column holds: for numbers whose real range
# is a domain rule the service checks (and explains) itself.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
SaneDate = Annotated[date, AfterValidator(_sane_date)]
# Naive datetimes are read in the clinic's time zone by the services.
SaneDateTime = Annotated[datetime, AfterValidator(_sane_datetime)]

_INSTANT = TypeAdapter(datetime)


def _date_or_instant(value: object) -> object:
    """A bare date is a clinic day; a value with a time is that instant, even
    at midnight. (In a date | datetime union pydantic reads
    "2027-04-12T00:00:00Z" as the date 2027-04-12, dropping the time and the
    offset, so a week ending at that instant took in the whole next day.)"""
    if isinstance(value, str) and len(value.strip()) > len("YYYY-MM-DD"):
        try:
            return _INSTANT.validate_python(value)
        except ValidationError:
            return value  # the union reports what is wrong with it
    return value


# A filter bound: a clinic day ("2027-04-12") or an exact instant.
DateOrInstant = Annotated[SaneDate | SaneDateTime, BeforeValidator(_date_or_instant)]

WALL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _wall_time(value: object) -> object:
    # Opening hours are wall-clock times in the clinic's zone: no offset.
    if isinstance(value, str) and not re.match(WALL_TIME_PATTERN, value):
        raise ValueError("Use HH:MM (clinic time, no offset).")
    return value


WallTime = Annotated[
    time,
    BeforeValidator(_wall_time),
    WithJsonSchema(
        {"type": "string", "pattern": WALL_TIME_PATTERN, "example": "09:00"}
    ),
]
