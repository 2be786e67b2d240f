"""Treatment plans in a real browser (issue 13): the dentist charts two
findings on the chart page (caries on 16 MOD, clicked on the odontogram;
a fracture of 36, reached by keyboard) and plans three procedures in two
phases on the plan page and presents the plan -> the
patient signs it in the portal with a drawn signature (a mouse drag on the
canvas), at a phone's width -> the receptionist books phase 1 from the plan
-> the dentist completes it -> the visit's invoice has the phase's lines at
the fees frozen when planned -> the patient pays it by card (localstripe).

The patient is a fresh one with a portal
account in clinic alpha; everything the test made is removed afterwards
(the append-only and no-delete triggers are lifted for that clean-up only).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pgtrigger
import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from conftest import PASSWORD, world_user

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WEBHOOK_SECRET = "whsec_" + "chairsideE2eSigningSecret01"  # as live_server


@pytest.fixture
def plan_world(django_db_blocker):
    from chairside.accounts.services import user_create
    from chairside.billing.models import Invoice
    from chairside.core.actors import COMMAND
    from chairside.dental import catalogue
    from chairside.dental.models import ChartEntry, ProcedureCode
    from chairside.patients.models import Patient
    from chairside.payments.models import Payment
    from chairside.scheduling.models import Appointment
    from chairside.treatment.models import PlanAcceptance, PlanItem, TreatmentPlan
    from tenants.models import Clinic

    tag = uuid.uuid4().hex[:6].upper()
    email = f"plan-{tag.lower()}@alpha.test"
    with django_db_blocker.unblock():
        alpha = Clinic.objects.get(slug="alpha")
        old_account = alpha.stripe_account_id
        with schema_context(alpha.schema_name):
            admin = world_user(alpha, "admin")
            for code, text, area, minutes, fee in (
                ("EXAM", "Exam", "mouth", 20, "45.00"),
                ("COMP", "Composite filling", "surface", 30, "120.00"),
                ("CROWN", "Ceramic crown", "tooth", 90, "950.00"),
            ):
                catalogue.procedure_code_create(
                    actor=admin,
                    code=f"P{tag}-{code}",
                    short_description=text,
                    category="restorative",
                    area=area,
                    default_duration_minutes=minutes,
                    default_fee=Decimal(fee),
                )
            user = user_create(
                actor=COMMAND, email=email, password=PASSWORD, role="patient"
            )
            patient = Patient.objects.create(
                first_name="Tess", last_name="Plan", email=email, user=user
            )
        yield alpha, patient, tag, email
        alpha.refresh_from_db()
        alpha.stripe_account_id = old_account
        alpha.save(update_fields=["stripe_account_id"])
        with (
            schema_context(alpha.schema_name),
            pgtrigger.ignore(
                "treatment.PlanAcceptance:acceptance_append_only",
                "treatment.TreatmentPlan:presented_plan_no_delete",
                "treatment.PlanItem:items_of_draft_only",
                "dental.ChartEntry:entry_no_delete",
            ),
        ):
            invoices = Invoice.objects.filter(patient=patient)
            Payment.objects.filter(invoice__in=invoices).delete()
            for invoice in invoices:
                invoice.items.all().delete()
            invoices.delete()
            PlanAcceptance.objects.filter(plan__patient=patient).delete()
            PlanItem.objects.filter(plan__patient=patient).delete()
            TreatmentPlan.objects.filter(patient=patient).delete()
            ChartEntry.objects.filter(patient=patient).delete()
            Appointment.objects.filter(patient=patient).delete()
            ProcedureCode.objects.filter(code__startswith=f"P{tag}").delete()
            patient.delete()
            user.delete()


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _sign_out(page: Page) -> None:
    page.locator(
        ".header-tools form button", has_text=re.compile("Sign out|Cerrar")
    ).click()
    page.wait_for_load_state()


def _next_weekday(days: int = 21):
    from django.utils import timezone

    day = timezone.now().date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_plan_sign_book_complete_invoice_pay(  # noqa: PLR0915, PLR0917  (one story)
    page: Page, live_server, plan_world, shot, e2e_stripe, stripe_js_bridge
):
    alpha, patient, tag, patient_email = plan_world
    base = f"http://alpha.localhost:{live_server}"
    page.set_default_timeout(30_000)
    page.set_viewport_size(DESK)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. The dentist charts the two findings, then plans three procedures
    # in two phases and presents.
    _sign_in(page, base, "dentist@alpha.test")
    page.goto(f"{base}/app/patients/{patient.pk}/")
    page.get_by_role("link", name="Chart", exact=True).click()
    _chart_findings(page, shot)
    page.goto(f"{base}/app/patients/{patient.pk}/")
    page.locator("#treatment-plans-link").click()
    page.locator("#new-plan").click()
    for code, tooth, surfaces, phase in (
        ("EXAM", "", "", "1"),
        ("COMP", "16", "MOD", "1"),
        ("CROWN", "36", "", "2"),
    ):
        page.select_option("#id_procedure_code", f"P{tag}-{code}")
        page.fill("#id_tooth", tooth)
        page.fill("#id_surfaces", surfaces)
        page.fill("#id_phase", phase)
        page.get_by_role("button", name="Add to the plan").click()
        page.wait_for_load_state()
    expect(page.locator("#plan-total")).to_contain_text("1115.00")
    expect(page.locator("section.phase")).to_have_count(2)
    shot(page, "plan-draft")
    page.locator("#present-plan").click()
    expect(page.locator("#plan-status")).to_have_text("Presented")
    plan_url = page.url
    shot(page, "plan-presented")
    _sign_out(page)

    # 2. The patient reviews and signs on a phone: a drawn signature.
    page.set_viewport_size(PHONE)
    _sign_in(page, base, patient_email)
    page.goto(f"{base}/portal/treatment-plans/")
    page.locator(".plan-list a").first.click()
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(
            box["x"] + 20 + step * (box["width"] - 40) / 11,
            box["y"] + box["height"] * (0.3 if step % 2 else 0.7),
            steps=3,
        )
    page.mouse.up()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    # No card scrolls sideways either: the items stack on a phone.
    wide = page.evaluate(
        "[...document.querySelectorAll('.card')]"
        ".filter(c => c.scrollWidth > c.clientWidth + 1).length"
    )
    assert wide == 0, wide
    shot(page, "portal-sign")
    page.locator("#sign-accept").click()
    expect(page.locator("#plan-status")).to_have_text("Accepted")
    expect(page.locator(".messages")).to_contain_text("signed")
    shot(page, "portal-signed")
    _sign_out(page)
    page.set_viewport_size(DESK)

    # 3. The receptionist books phase 1 from the plan (two procedures:
    # 20 + 30 minutes, an hour on the calendar's 15-minute step).
    _sign_in(page, base, "receptionist@alpha.test")
    page.goto(plan_url)
    phase1 = page.locator('section.phase[data-phase="1"]')
    phase1.locator("summary", has_text="Book phase 1").click()
    dentist_id = str(world_dentist_pk(alpha))
    phase1.locator("select[name=dentist]").select_option(dentist_id)
    phase1.locator("input[name=start]").fill(f"{_next_weekday().isoformat()}T16:00")
    phase1.get_by_role("button", name="Book phase 1").click()
    expect(page.locator(".messages")).to_contain_text("Phase 1 is booked")
    shot(page, "phase-booked")
    from chairside.scheduling.models import Appointment

    with schema_context(alpha.schema_name):
        visit = Appointment.objects.get(patient=patient)
    assert visit.duration_minutes == 60
    _sign_out(page)

    # 4. The dentist completes the visit's procedures.
    _sign_in(page, base, "dentist@alpha.test")
    page.goto(plan_url)
    page.get_by_role("button", name="Mark procedures completed").click()
    expect(page.locator(".messages")).to_contain_text("completed")
    _sign_out(page)

    # 5. The receptionist invoices the visit: the phase's lines, frozen fees.
    _sign_in(page, base, "receptionist@alpha.test")
    page.goto(plan_url)
    page.get_by_role("button", name="Invoice this visit").click()
    expect(page.locator("#invoice-status")).to_have_text("Pending")
    rows = page.locator("main table").first.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"P{tag}-EXAM")
    expect(rows.nth(0)).to_contain_text("45.00")
    expect(rows.nth(1)).to_contain_text(f"P{tag}-COMP")
    expect(rows.nth(1)).to_contain_text("120.00")
    expect(page.locator("main")).to_contain_text("165.00")
    shot(page, "visit-invoice")
    _sign_out(page)

    # 6. The patient pays it by card (the clinic's Stripe account connected
    # through the settings page, as the clinic journey does).
    _sign_in(page, base, "admin@alpha.test")
    account = f"acct_{uuid.uuid4().hex[:16]}"
    page.goto(f"{base}/app/settings/stripe/")
    page.fill("#id_stripe_account_id", account)
    page.get_by_role("button", name="Save").click()
    enabled = page.locator("p.alert.success", has_text="Card payments are on")
    for _ in range(20):
        page.reload()
        if enabled.count():
            break
        page.wait_for_timeout(500)
    _sign_out(page)
    e2e_stripe.register_webhook(
        f"plan-{tag}",
        f"http://localhost:{live_server}/stripe/webhook/",
        WEBHOOK_SECRET,
        account=account,
    )
    try:
        _sign_in(page, base, patient_email)
        page.goto(f"{base}/portal/invoices/")
        page.locator("table a").first.click()
        expect(page.locator("#card-element input")).to_have_count(5)
        card = page.locator("#card-element")
        card.locator("input[placeholder=number]").press_sequentially("4242424242424242")
        card.locator("input[placeholder=exp_month]").press_sequentially("12")
        card.locator("input[placeholder=exp_year]").press_sequentially("34")
        card.locator("input[placeholder=cvc]").press_sequentially("123")
        card.locator("input[placeholder=postal_code]").press_sequentially("10001")
        page.get_by_role("button", name="Pay now").click()
        expect(page.locator("#payment-status")).to_have_text(
            "Completed", timeout=30_000
        )
        expect(page.locator("main")).to_contain_text("165.00")
        shot(page, "paid")
    finally:
        e2e_stripe.unregister_webhook(f"plan-{tag}")
    assert not errors, errors


def _surface(page: Page, tooth: int, surface: str):
    return page.locator(f'svg .tooth[data-tooth="{tooth}"] [data-surface="{surface}"]')


def _chart_condition(page: Page, condition: str) -> None:
    page.locator("input[name=kind][value=condition]").check()
    page.select_option("#id_condition", condition)
    page.select_option("#id_status", "existing_here")
    page.get_by_role("button", name="Save to chart").click()


def _chart_findings(page: Page, shot) -> None:
    """Caries on 16 MOD (three surfaces clicked), a fracture of 36 (the
    tooth reached by keyboard): each saved in place, the drawing redrawn."""
    expect(page.locator("svg.odontogram")).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    for letter in "MOD":
        _surface(page, 16, letter).click()
    expect(page.locator("#chart-selection")).to_have_text("16 MOD")
    _chart_condition(page, "caries")
    expect(_surface(page, 16, "O")).to_have_class("surface condition")
    expect(_surface(page, 16, "B")).to_have_class("surface")
    expect(page.locator("#entries-table")).to_contain_text("Caries")

    page.locator('svg .tooth[data-tooth="36"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#chart-selection")).to_have_text("36")
    _chart_condition(page, "fracture")
    expect(page.locator("#entries-table")).to_contain_text("Fracture")
    expect(page.locator("#entries-table tbody tr")).to_have_count(2)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    shot(page, "chart-findings")


def world_dentist_pk(clinic) -> int:
    from tests.world_clinical import world_dentist

    return world_dentist(clinic).pk
