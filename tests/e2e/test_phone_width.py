"""At a phone's width (390 px) nothing a receptionist or patient needs runs
off the screen: the header's "Cerrar sesión" was cut off, and long dentist
names ran over each other in the calendar's column headers."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page

from conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def long_named_dentists(django_db_blocker):
    """Two committed dentists with long names, working every day (removed
    afterwards)."""
    from chairside.scheduling.models import Dentist, WorkingHours
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        alpha = Clinic.objects.get(slug="alpha")
        with schema_context(alpha.schema_name):
            dentists = [
                Dentist.objects.create(
                    first_name=first, last_name=last, email=f"{n}-phone@alpha.test"
                )
                for n, (first, last) in enumerate(
                    [
                        ("Maria Guadalupe", "Fernandez-Villalobos"),
                        ("Bartholomew", "Oyelaran-Whitfield"),
                    ]
                )
            ]
            for dentist in dentists:
                WorkingHours.objects.bulk_create(
                    WorkingHours(
                        dentist=dentist,
                        weekday=day,
                        start_time=time(8),
                        end_time=time(18),
                    )
                    for day in range(7)
                )
        yield dentists
        with schema_context(alpha.schema_name):
            for dentist in dentists:
                dentist.working_hours.all().delete()
                dentist.delete()


@pytest.fixture
def unpaid_invoices(django_db_blocker):
    """Committed unpaid invoices on alpha's dashboard (removed afterwards)."""
    from chairside.billing.models import Invoice
    from chairside.web.tests.factories import invoice_make
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        alpha = Clinic.objects.get(slug="alpha")
        with schema_context(alpha.schema_name):
            made = [invoice_make(total="12345.50", status="pending") for _ in range(2)]
        yield made
        with schema_context(alpha.schema_name):
            for invoice in Invoice.objects.filter(pk__in=[i.pk for i in made]):
                invoice.items.all().delete()
                invoice.delete()


def _sign_in_in_spanish(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.select_option("#language-select", "es")
    page.locator(".header-tools form button").first.click()
    page.wait_for_load_state()
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _clipped_cards(page: Page) -> list[str]:
    return page.evaluate(
        """[...document.querySelectorAll('main .card')]
             .filter((c) => c.scrollWidth > c.clientWidth + 1)
             .map((c) => (c.querySelector('h2') || c).textContent.trim())"""
    )


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    sign_out = page.get_by_role("button", name="Cerrar sesión").bounding_box()
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"
    assert sign_out["x"] + sign_out["width"] <= PHONE["width"]


@pytest.mark.usefixtures("long_named_dentists", "unpaid_invoices")
def test_staff_pages_fit_a_phone(page: Page, live_server, shot):
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(PHONE)
    _sign_in_in_spanish(page, base, "receptionist@alpha.test")

    for path in ("/app/", "/app/calendar/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        _fits(page)
        # Nor inside its cards: the unpaid invoices' balance was off the card.
        assert _clipped_cards(page) == [], page.url
        shot(page, path.strip("/").replace("/", "-"))
    # Every column's name stays inside its column.
    spill = page.evaluate(
        """[...document.querySelectorAll('.fc-col-header-cell-cushion')]
             .filter((c) => c.scrollWidth > c.clientWidth + 1)
             .map((c) => c.textContent)"""
    )
    assert spill == []


def test_the_portal_fits_a_phone(page: Page, live_server, shot):
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(PHONE)
    _sign_in_in_spanish(page, base, "patient@alpha.test")

    page.goto(f"{base}/portal/")
    _fits(page)
    shot(page, "portal")


DESK = {"width": 1280, "height": 800}


def test_the_staff_pages_cards_show_every_column_at_a_desk(page: Page, live_server):
    """At 1280 px the dashboard's unpaid invoices lost their Balance column:
    the full-width card above kept the row's four grid tracks, a quarter
    each. The same check on the other pages built of card grids; the
    invoice page, which needs an invoice, is only in the journey's
    screenshots."""
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(DESK)
    _sign_in_in_spanish(page, base, "admin@alpha.test")
    visited = []

    for listing, link in (
        ("/app/", None),
        ("/app/patients/", "main td a[href^='/app/patients/']"),
        ("/app/settings/", None),
    ):
        page.goto(base + listing)
        if link:
            page.locator(link).first.click()
            page.wait_for_load_state()
        visited.append(page.url.removeprefix(base))
        assert _clipped_cards(page) == [], page.url
    assert re.fullmatch(r"/app/patients/\d+/", visited[1])  # a patient was opened
