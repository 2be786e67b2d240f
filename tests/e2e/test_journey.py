"""The journey of issue 6, in a real browser, asserted at each step:
owner signs up a clinic -> adds a dentist with hours and a chair -> invites a
receptionist, who books in the calendar and sees a conflict refused ->
a patient signs up in the portal, books a free slot, pays an invoice by
card -> staff see the invoice paid and the audit entries.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.e2e.conftest import read_mail

TZ = "Europe/Madrid"
WEBHOOK_SECRET = "whsec_" + "chairsideE2eSigningSecret01"  # as live_server
PROVISION_TIMEOUT = 900_000  # ms: a new clinic schema is migrated on signup


@pytest.fixture
def journey_clinic(django_db_blocker):
    """The slug of the clinic the journey creates, dropped afterwards."""
    slug = f"e2e-{uuid.uuid4().hex[:6]}"
    yield slug
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        for clinic in Clinic.objects.filter(slug=slug):
            clinic.delete(force_drop=True)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def sign_out(page: Page) -> None:
    page.locator(
        ".header-tools form button", has_text=re.compile("Sign out|Cerrar")
    ).click()
    page.wait_for_load_state()


def click_slot(page: Page, column: int, time: str) -> None:
    """Click the calendar's free slot at `time` in the n-th resource column."""
    header = page.locator(".fc-col-header-cell.fc-resource").nth(column)
    row = page.locator(f'td.fc-timegrid-slot-lane[data-time="{time}"]')
    row.scroll_into_view_if_needed()  # mouse clicks land in the viewport only
    col_box, row_box = header.bounding_box(), row.bounding_box()
    page.mouse.click(
        col_box["x"] + col_box["width"] / 2, row_box["y"] + row_box["height"] / 2
    )


def test_clinic_journey(  # noqa: PLR0915, PLR0917  (one story, told in order)
    page: Page,
    live_server,
    mail_dir,
    journey_clinic,
    shot,
    django_db_blocker,
    e2e_stripe,
    stripe_js_bridge,
):
    slug = journey_clinic
    public = f"http://localhost:{live_server}"
    clinic = f"http://{slug}.localhost:{live_server}"
    page.set_default_timeout(30_000)
    # A script error on any page fails the journey (it would break the page).
    # Refusals the journey provokes (400, 403, 409) are logged by Chromium as
    # "Failed to load resource": expected, not script errors.
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and script_errors.append(f"console: {m.text}")
        ),
    )
    owner = f"owner@{slug}.test"

    # 1. The owner signs up a clinic; a wrong field is reported inline first.
    page.goto(f"{public}/pricing/")
    page.locator(".plan a.button").first.click()
    page.fill("#id_name", "Journey Dental")
    page.fill("#id_slug", "Not A Slug!")
    page.fill("#id_owner_first_name", "Olga")
    page.fill("#id_owner_last_name", "Owner")
    page.fill("#id_owner_email", owner)
    page.fill("#id_owner_password", PASSWORD)
    page.select_option("#id_time_zone", TZ)
    page.select_option("#id_currency", "EUR")
    page.get_by_role("button", name="Create clinic").click()
    expect(page.locator("#id_slug_error")).to_be_visible()
    expect(page.locator("#id_slug")).to_have_attribute("aria-invalid", "true")
    shot(page, "signup-error")
    page.fill("#id_slug", slug)
    page.fill("#id_owner_password", PASSWORD)
    with page.expect_navigation(timeout=PROVISION_TIMEOUT):
        page.get_by_role("button", name="Create clinic").click(
            timeout=PROVISION_TIMEOUT
        )
    expect(page).to_have_url(f"{clinic}/app/")
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    shot(page, "owner-dashboard")

    # 2. A dentist with hours (every day 07:00-20:00) and a chair.
    page.goto(f"{clinic}/app/settings/dentists/new/")
    page.fill("#id_first_name", "Diego")
    page.fill("#id_last_name", "Molar")
    page.fill("#id_email", f"diego@{slug}.test")
    for day in range(7):
        page.fill(f"#id_hours-{day}-start_time", "07:00")
        page.fill(f"#id_hours-{day}-end_time", "20:00")
    page.get_by_role("button", name="Save dentist").click()
    expect(page.locator(".messages")).to_contain_text("Diego Molar")
    expect(page.locator("table")).to_contain_text("07:00\u201320:00")
    page.goto(f"{clinic}/app/settings/chairs/")
    page.fill("#id_name", "Chair 1")
    page.get_by_role("button", name="Add chair").click()
    expect(page.locator(".card ul")).to_contain_text("Chair 1")
    # Card payments: connect the clinic's Stripe account.
    page.goto(f"{clinic}/app/settings/stripe/")
    account = f"acct_{uuid.uuid4().hex[:16]}"
    page.fill("#id_stripe_account_id", account)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Stripe connection saved")
    # Other app server processes drop their cached clinic within about a
    # second through the Redis invalidation stream, or after
    # CLINIC_CACHE_SECONDS (5 s) when the tests run without Redis.
    enabled = page.locator("p.alert.success", has_text="Card payments are on")
    for _ in range(20):
        page.reload()
        if enabled.count():
            break
        page.wait_for_timeout(500)
    expect(enabled).to_be_visible()
    shot(page, "settings-stripe")

    # 3. The owner invites a receptionist, who sets a password from the email.
    desk = f"desk@{slug}.test"
    page.goto(f"{clinic}/app/settings/staff/")
    page.fill("#id_email", desk)
    page.select_option("#id_role", "receptionist")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text(desk)
    sign_out(page)
    link = re.search(
        r"http://\S+/accounts/password/reset/key/\S+", read_mail(mail_dir, desk)
    )
    page.goto(link.group(0))
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    sign_in(page, clinic, desk)
    expect(page).to_have_url(f"{clinic}/app/")
    # A receptionist never sees (nor opens) admin screens.
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    response = page.goto(f"{clinic}/app/settings/")
    assert response.status == 403

    # 4. The receptionist registers a patient and books in the calendar.
    page.goto(f"{clinic}/app/patients/new/")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Walkin")
    page.fill("#id_email", f"rosa@{slug}.test")
    page.get_by_role("button", name="Save patient").click()
    expect(page.locator("h1")).to_contain_text("Rosa Walkin")
    tomorrow = (datetime.now(ZoneInfo(TZ)) + timedelta(days=1)).date().isoformat()
    page.goto(f"{clinic}/app/calendar/?date={tomorrow}")
    expect(page.locator(".fc-col-header-cell.fc-resource")).to_contain_text(
        "Diego Molar"
    )
    click_slot(page, 0, "10:00:00")
    dialog = page.locator("#book-dialog")
    expect(dialog).to_be_visible()
    page.fill("#book-patient-search", "Rosa")
    page.locator("#book-patient-options [data-id]").first.click()
    expect(page.locator("#book-start")).to_have_value(f"{tomorrow}T10:00")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator("#calendar-message")).to_contain_text("Appointment booked")
    expect(page.locator(".fc-event")).to_contain_text("Rosa Walkin")
    shot(page, "calendar-booked")

    # ...and a second booking on the same dentist at the same time is refused.
    click_slot(page, 0, "12:00:00")
    expect(dialog).to_be_visible()
    page.fill("#book-patient-search", "Rosa")
    page.locator("#book-patient-options [data-id]").first.click()
    page.fill("#book-start", f"{tomorrow}T10:00")
    dialog.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator("#book-error")).not_to_be_empty()
    shot(page, "calendar-conflict")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.locator(".fc-event")).to_have_count(1)
    sign_out(page)

    # 5. A patient signs up in the portal and confirms the email.
    patient = f"pia@{slug}.test"
    page.goto(f"{clinic}/accounts/signup/")
    page.fill("#id_first_name", "Pia")
    page.fill("#id_last_name", "Portal")
    page.fill("#id_email", patient)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    confirm = re.search(
        r"http://\S+/accounts/confirm-email/\S+", read_mail(mail_dir, patient)
    )
    page.goto(confirm.group(0))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    sign_in(page, clinic, patient)
    expect(page).to_have_url(f"{clinic}/portal/")
    shot(page, "portal-home")

    # ...books a free slot (any dentist)...
    page.get_by_role("link", name="Book a visit").first.click()
    first_slot = page.locator("button.slot").first
    expect(first_slot).to_be_visible()
    shot(page, "portal-slots")
    first_slot.click()
    expect(page.locator(".messages")).to_contain_text("Your visit is booked")
    expect(page.locator(".visits")).to_contain_text("Diego Molar")
    sign_out(page)

    # 6. The receptionist invoices that visit, from the patient page.
    sign_in(page, clinic, desk)
    page.goto(f"{clinic}/app/patients/")
    page.fill("#patient-search", "Pia")
    page.locator("#patient-results a", has_text="Portal, Pia").click()
    expect(page.locator("h1")).to_contain_text("Pia Portal")
    shot(page, "patient-page")
    # The link sits in the appointments table's last column, which once spilled
    # under the next card (that card swallowed the click).
    page.get_by_role("link", name="Create invoice").first.click()
    expect(page.locator("h1")).to_contain_text("New invoice for Pia Portal")
    page.fill("#id_line-0-description", "Check-up")
    page.fill("#id_line-0-unit_price", "45.00")
    page.get_by_role("button", name="Issue invoice").click()
    expect(page.locator("#invoice-status")).to_have_text("Pending")
    invoice_url = page.url
    sign_out(page)

    # 7. The patient pays it by card: the card typed into the Stripe.js card
    # Element (localstripe's fake: five plain inputs), then confirmCardPayment
    # with 3-D Secure (a card that requires it).
    e2e_stripe.register_webhook(
        slug, f"{public}/stripe/webhook/", WEBHOOK_SECRET, account=account
    )
    sign_in(page, clinic, patient)
    page.goto(f"{clinic}/portal/invoices/")
    page.locator("table a").first.click()
    expect(page.locator("#invoice-status")).to_have_text("Pending")
    expect(page.locator("#card-element input")).to_have_count(5)
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").press_sequentially("4000002760003184")
    card.locator("input[placeholder=exp_month]").press_sequentially("12")
    card.locator("input[placeholder=exp_year]").press_sequentially("34")
    card.locator("input[placeholder=cvc]").press_sequentially("123")
    card.locator("input[placeholder=postal_code]").press_sequentially("28001")
    shot(page, "portal-pay")
    page.get_by_role("button", name="Pay now").click()
    # The bank's 3-D Secure challenge (localstripe's stand-in), then the receipt.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator("#payment-status")).to_have_text("Completed", timeout=30_000)
    expect(page.locator("main")).to_contain_text("45.00")
    shot(page, "portal-receipt")
    # ...and Stripe's signed webhook reached the app and was accepted.
    delivery = e2e_stripe.wait_for(
        lambda: [
            d
            for d in e2e_stripe.deliveries_of("payment_intent.succeeded")
            if d.event.get("account") == account
        ]
    )[-1]
    assert delivery.status == 200
    assert delivery.headers["Stripe-Signature"].startswith("t=")
    # The card Stripe charged is the one typed into the page.
    from localstripe.resources import PaymentMethod

    method = PaymentMethod._api_retrieve(
        delivery.event["data"]["object"]["payment_method"]
    )
    assert method.card["last4"] == "3184"
    assert method.billing_details["address"]["postal_code"] == "28001"
    # The app verified the signature and applied the event in this clinic.
    # (The receipt page asks Stripe too, so whichever comes first marks the
    # invoice paid; the other is a no-op. The webhook alone doing it is
    # covered by chairside/payments/tests/test_stripe_flow.py.)
    from django_tenants.utils import schema_context

    from chairside.payments.models import StripeEvent
    from tenants.models import Clinic

    with django_db_blocker.unblock():
        schema = Clinic.objects.get(slug=slug).schema_name
        with schema_context(schema):
            assert StripeEvent.objects.filter(
                event_id=delivery.event["id"], account=account
            ).exists()
    sign_out(page)

    # 8. Staff see the invoice paid and the audit entries.
    sign_in(page, clinic, desk)
    page.goto(invoice_url)
    expect(page.locator("#invoice-status")).to_have_text("Paid")
    expect(page.locator("main")).to_contain_text("Card")
    shot(page, "staff-invoice-paid")
    sign_out(page)
    sign_in(page, clinic, owner)
    page.goto(f"{clinic}/app/settings/audit/")
    entries = page.locator("tr.audit-entry")
    expect(entries.first).to_be_visible()
    table = page.locator("table")
    expect(table).to_contain_text(desk)
    expect(table).to_contain_text(patient)
    shot(page, "audit-log")
    # Filtered to the invoice: its creation by the desk and its payment.
    page.fill("#id_model", "billing.Invoice")
    page.get_by_role("button", name="Filter").click()
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("'paid'")
    expect(entries.nth(1)).to_contain_text("create")
    expect(entries.nth(1)).to_contain_text(desk)
    shot(page, "audit-log-invoice")
    assert not script_errors, script_errors
