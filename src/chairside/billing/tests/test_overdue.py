"""The hourly overdue run: clinic time zone, idempotent, one email per invoice
(billing marks, notifications plans the notices), for the OVERDUE actor only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from chairside.billing.models import Invoice, InvoiceStatus
from chairside.billing.overdue import invoices_mark_overdue
from chairside.core.actors import OVERDUE, REMINDERS, STRIPE_WEBHOOK
from chairside.core.errors import PermissionDenied
from chairside.notifications.delivery import reminder_deliver
from chairside.notifications.models import Reminder
from chairside.notifications.planning import invoices_overdue_plan, reminders_plan
from chairside.notifications.preferences import notification_settings_update
from chairside.notifications.tests.factories import make_invoice
from conftest import world_user

pytestmark = pytest.mark.django_db

# 03:00 UTC on 10 March: still 9 March in New York (alpha), already 10 March
# in Madrid (beta).
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def test_unpaid_invoices_past_due_become_overdue(alpha):
    with tenant_context(alpha):
        pending = make_invoice(due_date=date(2026, 3, 8))
        partial = make_invoice(
            due_date=date(2026, 3, 1),
            status=InvoiceStatus.PARTIALLY_PAID,
            paid=Decimal("20.00"),
        )
        paid = make_invoice(
            due_date=date(2026, 3, 1), status=InvoiceStatus.PAID, paid=Decimal("120.00")
        )
        void = make_invoice(due_date=date(2026, 3, 1), status=InvoiceStatus.VOID)
        due_today = make_invoice(due_date=date(2026, 3, 9))
        run = invoices_mark_overdue(actor=OVERDUE, now=NOW)
        assert run.today == date(2026, 3, 9)
        assert sorted(run.marked) == sorted([pending.pk, partial.pk])
        statuses = dict(Invoice.objects.values_list("pk", "status"))
        assert statuses[pending.pk] == statuses[partial.pk] == "overdue"
        assert statuses[paid.pk] == "paid"
        assert statuses[void.pk] == "void"
        assert statuses[due_today.pk] == "pending"


def test_the_day_turns_at_midnight_in_the_clinics_time_zone(alpha, beta):
    with tenant_context(alpha):
        in_new_york = make_invoice(due_date=date(2026, 3, 9))
        assert invoices_mark_overdue(actor=OVERDUE, now=NOW).marked == []
    with tenant_context(beta):
        in_madrid = make_invoice(due_date=date(2026, 3, 9))
        assert invoices_mark_overdue(actor=OVERDUE, now=NOW).marked == [in_madrid.pk]
    with tenant_context(alpha):
        in_new_york.refresh_from_db()
        assert in_new_york.status == InvoiceStatus.PENDING


def test_running_twice_changes_nothing_and_emails_once(in_alpha_billing):
    invoice = make_invoice(due_date=date(2026, 3, 1))
    first = invoices_overdue_plan(actor=OVERDUE, now=NOW)
    second = invoices_overdue_plan(actor=OVERDUE, now=NOW)
    assert (first.run.marked, first.notices_created) == ([invoice.pk], 1)
    assert (second.run.marked, second.notices_created) == ([], 0)
    for reminder_id in reminders_plan(actor=REMINDERS, now=NOW) + reminders_plan(
        actor=REMINDERS, now=NOW
    ):
        reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=NOW)
    [message] = mail.outbox
    assert invoice.number in message.subject
    assert "120.00" in message.body
    assert Reminder.objects.get().status == "sent"


def test_paid_before_the_email_went_out_is_not_emailed(in_alpha_billing):
    invoice = make_invoice(due_date=date(2026, 3, 1))
    invoices_overdue_plan(actor=OVERDUE, now=NOW)
    Invoice.objects.filter(pk=invoice.pk).update(
        status=InvoiceStatus.PAID, amount_paid=invoice.total_amount
    )
    [reminder_id] = reminders_plan(actor=REMINDERS, now=NOW)
    assert (
        reminder_deliver(actor=REMINDERS, reminder_id=reminder_id, now=NOW).status
        == "skipped"
    )
    assert mail.outbox == []


def test_overdue_emails_can_be_turned_off(in_alpha_billing):
    notification_settings_update(
        actor=world_user(in_alpha_billing, "admin"), overdue_invoice_emails=False
    )
    make_invoice(due_date=date(2026, 3, 1))
    result = invoices_overdue_plan(actor=OVERDUE, now=NOW)
    assert len(result.run.marked) == 1
    assert result.notices_created == 0
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("actor", [REMINDERS, STRIPE_WEBHOOK])
def test_only_the_overdue_run_marks_invoices_overdue(in_alpha_billing, actor):
    invoice = make_invoice(due_date=date(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        invoices_overdue_plan(actor=actor, now=NOW)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PENDING
    assert not Reminder.objects.exists()


def test_a_person_cannot_mark_invoices_overdue(in_alpha_billing):
    make_invoice(due_date=date(2026, 3, 1))
    admin = world_user(in_alpha_billing, "admin")
    with pytest.raises(PermissionDenied):
        invoices_mark_overdue(actor=admin, now=NOW)


@pytest.fixture
def in_alpha_billing(alpha):
    with tenant_context(alpha):
        yield alpha
