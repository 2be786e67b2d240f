"""Issuing, numbering, voiding and settling invoices.

Invoice numbers come from a per-year counter row locked inside the issuing
transaction: two concurrent invoices queue on that row, and an invoice that
fails to be created rolls its number back with it, so numbers have no gaps.
Money only moves through `invoice_settle`, always on a row locked by
`invoice_lock`; the table's check constraint (0 <= amount_paid <=
total_amount) is the last guard against overpayment.

Every function that acts takes the acting `actor` and checks the billing
policy itself (billing/policies.py): an invoice the actor may not see is not
found, an action they may not take is refused, whichever adapter called.
Amounts are checked against their columns here, for every adapter, so an
invoice too large to store is a validation error and never a database error.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.billing import policies
from chairside.billing.errors import BillingErrorCode
from chairside.billing.models import (
    OPEN_STATUSES,
    PAYMENT_PENDING,
    Invoice,
    InvoiceCounter,
    InvoiceItem,
    InvoiceStatus,
)
from chairside.core.actors import SystemActor
from chairside.core.clinic_time import clinic_today
from chairside.core.db import constraint_name, unique_key
from chairside.core.errors import ChairsideError, Conflict, NotFound
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from tenants.models import Clinic

CENT = Decimal("0.01")
DEFAULT_DUE_DAYS = 30


def _column_max(model: type[models.Model], field_name: str) -> Decimal:
    """The largest amount a DecimalField column stores (99999999.99)."""
    field = model._meta.get_field(field_name)
    places = field.decimal_places
    return Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places


MAX_AMOUNT = min(
    _column_max(InvoiceItem, "unit_price"),
    _column_max(InvoiceItem, "line_total"),
    _column_max(Invoice, "total_amount"),
)
MAX_QUANTITY = 2_147_483_647  # PositiveIntegerField on PostgreSQL


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Decimal
    procedure_code: str = ""
    tooth: str = ""
    surfaces: str = ""
    # The completed procedure the line bills (invoice_for_visit).
    chart_entry_id: int | None = None

    @property
    def line_total(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


def _lines_ensure_storable(lines: list[InvoiceLine]) -> Decimal:
    """Check each line against its columns; return the invoice total."""
    for index, line in enumerate(lines):
        price = line.unit_price
        if not (
            price.is_finite()
            and 0 <= price <= MAX_AMOUNT
            and price == price.quantize(CENT)
        ):
            raise ChairsideError(
                _("A unit price must be between 0.00 and %(max)s, in cents.")
                % {"max": MAX_AMOUNT},
                code=BillingErrorCode.INVOICE_AMOUNT_INVALID,
                details={"field": f"items.{index}.unit_price"},
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise ChairsideError(
                _("A quantity must be between 1 and %(max)s.") % {"max": MAX_QUANTITY},
                code=BillingErrorCode.INVOICE_AMOUNT_INVALID,
                details={"field": f"items.{index}.quantity"},
            )
        if line.line_total > MAX_AMOUNT:
            raise ChairsideError(
                _("A line total cannot exceed %(max)s.") % {"max": MAX_AMOUNT},
                code=BillingErrorCode.INVOICE_AMOUNT_TOO_LARGE,
                details={"field": f"items.{index}.quantity"},
            )
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    if total > MAX_AMOUNT:
        raise ChairsideError(
            _("An invoice total cannot exceed %(max)s; split it into several.")
            % {"max": MAX_AMOUNT},
            code=BillingErrorCode.INVOICE_AMOUNT_TOO_LARGE,
            details={"field": "items"},
        )
    return total


def current_clinic() -> Clinic:
    """The clinic whose schema is active (schema_context sets only a stand-in
    tenant, so look the clinic up when needed)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Clinic):
        return tenant
    return Clinic.objects.get(schema_name=connection.schema_name)


def clinic_currency() -> str:
    return current_clinic().currency


def invoice_status_compute(
    *, invoice: Invoice, today: datetime.date | None = None
) -> str:
    """The status an open invoice should have, from its money and due date."""
    if invoice.status == InvoiceStatus.VOID:
        return InvoiceStatus.VOID
    if invoice.amount_paid >= invoice.total_amount:
        return InvoiceStatus.PAID
    if invoice.due_date < (today or clinic_today()):
        return InvoiceStatus.OVERDUE
    if invoice.amount_paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.PENDING


def _invoice_number_next(*, year: int) -> str:
    """The next number of the year; call inside the issuing transaction."""
    # get_or_create survives two first-of-the-year invoices racing (unique
    # year); the row lock then serialises the increment.
    InvoiceCounter.objects.get_or_create(year=year)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"INV-{year}-{counter.last_number:06d}"


@transaction.atomic
def invoice_create(
    *,
    actor: User,
    patient_id: int,
    lines: list[InvoiceLine],
    appointment_id: int | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
) -> Invoice:
    ensure(policies.can_create_invoice(actor))
    if not lines:
        raise ChairsideError(
            _("An invoice needs at least one line."),
            code=BillingErrorCode.INVOICE_EMPTY,
            details={"field": "items"},
        )
    total = _lines_ensure_storable(lines)
    patient = Patient.objects.filter(pk=patient_id, is_archived=False).first()
    if patient is None:
        raise ChairsideError(
            _("No such patient."),
            code=BillingErrorCode.PATIENT_NOT_FOUND,
            details={"field": "patient_id"},
        )
    appointment = None
    if appointment_id is not None:
        # Locked so two invoices for one appointment cannot both pass the check.
        appointment = (
            Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        )
        if appointment is None:
            raise ChairsideError(
                _("No such appointment."),
                code=BillingErrorCode.APPOINTMENT_NOT_FOUND,
                details={"field": "appointment_id"},
            )
        if appointment.patient_id != patient.pk:
            raise ChairsideError(
                _("The appointment belongs to another patient."),
                code=BillingErrorCode.APPOINTMENT_OTHER_PATIENT,
                details={"field": "appointment_id"},
            )
        if Invoice.objects.filter(appointment=appointment).exists():
            raise Conflict(
                _("This appointment already has an invoice."),
                code=BillingErrorCode.APPOINTMENT_ALREADY_INVOICED,
                details={"field": "appointment_id"},
            )
    today = clinic_today()
    due = due_date or today + datetime.timedelta(days=DEFAULT_DUE_DAYS)
    if due < today:
        raise ChairsideError(
            _("The due date cannot be before the issue date."),
            code=BillingErrorCode.INVOICE_DUE_BEFORE_ISSUE,
            details={"field": "due_date"},
        )
    invoice = Invoice(
        number=_invoice_number_next(year=today.year),
        patient=patient,
        appointment=appointment,
        currency=clinic_currency(),
        total_amount=total,
        issue_date=today,
        due_date=due,
        notes=notes,
        created_by=actor,
    )
    invoice.status = invoice_status_compute(invoice=invoice, today=today)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:
        if constraint_name(exc) != unique_key(Invoice, "appointment"):
            raise
        raise Conflict(
            _("This appointment already has an invoice."),
            code=BillingErrorCode.APPOINTMENT_ALREADY_INVOICED,
            details={"field": "appointment_id"},
        ) from exc
    try:
        with transaction.atomic():
            _items_create(invoice, lines)
    except IntegrityError as exc:
        if constraint_name(exc) != unique_key(InvoiceItem, "chart_entry"):
            raise
        raise Conflict(
            _("A procedure on this invoice has already been billed."),
            code=BillingErrorCode.PROCEDURE_ALREADY_BILLED,
            details={"field": "items"},
        ) from exc
    return invoice


def _items_create(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    InvoiceItem.objects.bulk_create(
        InvoiceItem(
            invoice=invoice,
            description=line.description,
            procedure_code=line.procedure_code,
            tooth=line.tooth,
            surfaces=line.surfaces,
            chart_entry_id=line.chart_entry_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    )


def invoice_lock(*, actor: User | SystemActor, invoice_id: int) -> Invoice:
    """The invoice row, locked until the end of the current transaction; not
    found for an actor who may not see it (as the selectors answer), so a
    patient cannot even learn that another patient's invoice exists."""
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
    if invoice is None or not policies.can_reach_invoice(actor, invoice):
        raise NotFound(_("No such invoice."), code=BillingErrorCode.INVOICE_NOT_FOUND)
    return invoice


def invoice_ensure_open(*, invoice: Invoice) -> None:
    if invoice.status not in OPEN_STATUSES:
        raise Conflict(
            _("This invoice is %(status)s and takes no payments.")
            % {"status": invoice.get_status_display().lower()},
            code=BillingErrorCode.INVOICE_CLOSED,
        )


def invoice_settle(
    *, actor: User | SystemActor, invoice: Invoice, delta: Decimal
) -> Invoice:
    """Add (or, for refunds, subtract) money on a row locked by invoice_lock."""
    ensure(policies.can_settle_invoice(actor))
    invoice.amount_paid = (invoice.amount_paid + delta).quantize(CENT)
    invoice.status = invoice_status_compute(invoice=invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    return invoice


@transaction.atomic
def invoice_update(
    *,
    actor: User,
    invoice_id: int,
    status: str | None = None,
    void_reason: str = "",
    due_date: datetime.date | None = None,
    notes: str | None = None,
) -> Invoice:
    """Change what staff may change: due date, notes, and void.

    Paid, partially paid and overdue follow from payments and dates; the only
    status a person sets is `void`, and only while no money is held against
    the invoice (refund first) and no card payment is in flight.
    """
    invoice = invoice_lock(actor=actor, invoice_id=invoice_id)
    ensure(policies.can_update_invoice(actor))
    if status is not None and status != invoice.status:
        if status != InvoiceStatus.VOID:
            raise ChairsideError(
                _("The status “%(status)s” follows from payments and dates.")
                % {"status": status},
                code=BillingErrorCode.INVOICE_TRANSITION_INVALID,
                details={"field": "status"},
            )
        if invoice.status not in OPEN_STATUSES:
            raise Conflict(
                _("Only an open invoice can be voided."),
                code=BillingErrorCode.INVOICE_TRANSITION_INVALID,
                details={"field": "status"},
            )
        if (
            invoice.amount_paid > 0
            or invoice.payments.filter(status=PAYMENT_PENDING).exists()
        ):
            raise Conflict(
                _("Refund the payments on this invoice before voiding it."),
                code=BillingErrorCode.INVOICE_HAS_PAYMENTS,
            )
        invoice.status = InvoiceStatus.VOID
        invoice.void_reason = void_reason
        invoice.voided_at = timezone.now()
    if due_date is not None or notes is not None:
        if invoice.status not in OPEN_STATUSES:
            raise Conflict(
                _("A closed invoice cannot be changed; void it and issue another."),
                code=BillingErrorCode.INVOICE_CLOSED,
            )
        if due_date is not None:
            if due_date < invoice.issue_date:
                raise ChairsideError(
                    _("The due date cannot be before the issue date."),
                    code=BillingErrorCode.INVOICE_DUE_BEFORE_ISSUE,
                    details={"field": "due_date"},
                )
            invoice.due_date = due_date
        if notes is not None:
            invoice.notes = notes
        invoice.status = invoice_status_compute(invoice=invoice)
    invoice.save()
    return invoice
