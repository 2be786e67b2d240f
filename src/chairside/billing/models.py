"""Invoices and their line items. Money is Decimal in the clinic's currency.

Invoices are never deleted: a wrong invoice is voided and a new one issued.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chairside.audit.tracking import audited
from chairside.core.models import TimeStampedModel


class InvoiceStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERDUE = "overdue", _("Overdue")
    VOID = "void", _("Void")


# Invoices that still expect money.
# A payment whose money is promised but not settled (a card payment Stripe
# has not confirmed). Billing needs the value to refuse voiding such an
# invoice; payments.PaymentStatus.PENDING is defined from it, so the lower
# layer owns it and neither app imports the other's models upwards.
PAYMENT_PENDING = "pending"

OPEN_STATUSES = (
    InvoiceStatus.PENDING,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.OVERDUE,
)


class InvoiceCounter(models.Model):
    """The last invoice number used per year; locked while numbering, so
    concurrent invoices get consecutive numbers with no gaps."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


# Every change of an invoice (issue, payment, void) is in the audit trail.
@audited()
class Invoice(TimeStampedModel):
    number = models.CharField(max_length=32, unique=True)  # INV-2026-000123
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="invoices"
    )
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice",
    )
    currency = models.CharField(max_length=3)
    total_amount = models.DecimalField(max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.PENDING
    )
    issue_date = models.DateField()
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["patient", "-issue_date"]),
            # The list's order (newest first), with and without a status
            # filter: a page is an index scan that stops at LIMIT instead of
            # sorting every matching invoice.
            models.Index(
                fields=["status", "-issue_date", "-id"],
                name="invoice_status_newest_idx",
            ),
            models.Index(fields=["-issue_date", "-id"], name="invoice_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="invoice_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("total_amount")),
                name="invoice_paid_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        return self.total_amount - self.amount_paid


class InvoiceItem(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=200)
    # The clinic's own code (e.g. PROPHY): licensed code sets are not shipped.
    procedure_code = models.CharField(max_length=20, blank=True)
    # Where on the mouth, as printed ("16", "#3"; "MOD"): the bill's words,
    # kept as text like the description.
    tooth = models.CharField(max_length=20, blank=True, default="")
    surfaces = models.CharField(max_length=10, blank=True, default="")
    # The completed procedure this line bills: each is billed once (unique;
    # null for a manual line).
    chart_entry = models.OneToOneField(
        "dental.ChartEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_item",
    )
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    line_total = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="invoice_item_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="invoice_item_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"
