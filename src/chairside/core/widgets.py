"""The date and time widgets of every form, in one place.

An `<input type="date">` (time, datetime-local) takes its value in the one
format the HTML standard fixes (ISO: 1969-09-16, 09:30, 1969-09-16T09:30),
whatever the page's language; the browser shows it the local way. Django's
own widgets format with the active locale's first input format instead
(16/09/1969 in Spanish), which the browser rejects as blank, and saving the
form then wipes the stored date. These widgets always render ISO;
`web/tests/test_date_inputs.py` fails if a form uses any other widget for a
date or time field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATE_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=TIME_FORMAT)


class DateTimeLocalInput(forms.DateTimeInput):
    """A wall-clock date and time (no offset): the form field reads it in
    the active (clinic) time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL_FORMAT)


class HiddenDateTimeInput(forms.HiddenInput):
    """An exact moment carried through a page (ISO 8601 with its offset)."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime):
            return value.isoformat()
        return super().format_value(value)
