"""People read statuses as translated labels, never as the codes stored in
the database (a checked-in visit once showed `checked_in`)."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from chairside.billing.models import InvoiceStatus
from chairside.scheduling.models import AppointmentStatus
from chairside.web.tests.browser import in_spanish
from chairside.web.tests.factories import (
    appointment_make,
    chair_make,
    clinic_local,
    invoice_make,
    open_dentist_make,
    patient_make,
)

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The words a person reads: text outside tags, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def visible_text(page: str) -> str:
    reader = _Text()
    reader.feed(page)
    return " ".join(reader.words)


@pytest.fixture
def every_status(alpha):
    """Today, one appointment and one invoice in each status, for one patient."""
    with schema_context(alpha.schema_name):
        patient = patient_make(first_name="Lia", last_name="Status")
        dentist, chair = open_dentist_make(), chair_make()
        for n, status in enumerate(AppointmentStatus.values):
            appointment_make(
                patient=patient,
                dentist=dentist,
                chair=chair,
                starts_at=clinic_local(0, 8) + timedelta(minutes=30 * n),
                status=status,
            )
        for status in InvoiceStatus.values:
            invoice_make(patient=patient, status=status)
    return patient


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_shows_a_raw_status_code(web, alpha, every_status, language):
    if language == "es":
        in_spanish(alpha, "admin")
    client = web(alpha, "admin")
    codes = [*AppointmentStatus.values, *InvoiceStatus.values]
    # In English "paid" or "scheduled" are also the words of the label:
    # only the codes no label spells (checked_in, no_show, ...) can be told.
    if language == "en":
        with translation.override("en"):
            labels = {str(label).lower() for _v, label in AppointmentStatus.choices}
            labels |= {str(label).lower() for _v, label in InvoiceStatus.choices}
        codes = [code for code in codes if code not in labels]
    assert codes  # the check must have something to look for

    pages = {
        path: visible_text(client.get(path).content.decode())
        for path in (
            "/app/",
            f"/app/patients/{every_status.pk}/",
            "/app/invoices/",
        )
    }

    for path, text in pages.items():
        assert "Lia" in text or path == "/app/invoices/"
        shown = [code for code in codes if code in text.split()]
        assert shown == [], (path, shown)


def test_the_calendar_labels_every_status(web, alpha, every_status):
    in_spanish(alpha, "receptionist")
    with schema_context(alpha.schema_name):
        start = clinic_local(0, 0)
    events = (
        web(alpha, "receptionist")
        .get(
            "/app/calendar/events/",
            {
                "start": start.replace(tzinfo=None).isoformat(),
                "end": (start + timedelta(days=1)).replace(tzinfo=None).isoformat(),
            },
            HTTP_ACCEPT="application/json",
        )
        .json()["events"]
    )

    labels = {
        e["extendedProps"]["status"]: e["extendedProps"]["statusLabel"] for e in events
    }
    assert set(labels) == set(AppointmentStatus.values) - {"cancelled"}
    assert all(code != label for code, label in labels.items())
