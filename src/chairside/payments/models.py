"""Payments against invoices. No card data is stored here, only Stripe ids:
Stripe holds the card (PCI DSS)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chairside.audit.tracking import audited
from chairside.billing.models import PAYMENT_PENDING


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


class PaymentStatus(models.TextChoices):
    PENDING = PAYMENT_PENDING, _("Pending")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    # Stripe took more than the invoice could take (paid by other means
    # meanwhile, voided, or an amount other than asked): the excess is
    # recorded on the payment and owed back until it is refunded.
    NEEDS_REFUND = "needs_refund", _("Refund due")


# Money received: the payment counts on the invoice (minus refunds).
SETTLED_STATUSES = (
    PaymentStatus.COMPLETED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.NEEDS_REFUND,
)


# Money in and out is in the audit trail (docs/audit.md).
@audited()
class Payment(models.Model):
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="payments"
    )
    # Once received: what was actually received (Stripe's figure for cards).
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    refunded_amount = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    # The part of `amount` the invoice could not take; refunds give it back
    # first, so what is still owed is `refund_due`.
    unapplied_amount = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    # The PaymentIntent id (pi_…) for card payments.
    stripe_payment_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True
    )
    stripe_charge_id = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=100, blank=True)  # bank ref, receipt no.
    payment_date = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-payment_date", "-id"]
        indexes = [models.Index(fields=["invoice", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0)
                & Q(refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(unapplied_amount__gte=0)
                & Q(unapplied_amount__lte=F("amount")),
                name="payment_unapplied_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.payment_method} on {self.invoice_id}"

    @property
    def applied_amount(self) -> Decimal:
        """What this payment put on its invoice, before refunds."""
        return self.amount - self.unapplied_amount

    @property
    def refund_due(self) -> Decimal:
        """Received, not applied to the invoice, and not yet given back."""
        return max(self.unapplied_amount - self.refunded_amount, Decimal("0.00"))

    def applied_refunded(self, refunded: Decimal) -> Decimal:
        """The part of a cumulative refund that came off the invoice."""
        return max(refunded - self.unapplied_amount, Decimal("0.00"))


@audited()
class PaymentRefund(models.Model):
    """One refund of (part of) a payment: who gave it back, how much, why."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # re_… for card refunds; blank for cash/bank refunds given by hand.
    stripe_refund_id = models.CharField(
        max_length=100, unique=True, null=True, blank=True
    )
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"-{self.amount} on payment {self.payment_id}"


class StripeCustomer(models.Model):
    """The patient's Customer on the clinic's Stripe account (cards on file)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="stripe_customer"
    )
    customer_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.customer_id


class StripeEvent(models.Model):
    """Every Stripe event applied to this clinic, recorded in the transaction
    that applies it: the unique id makes a second delivery a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64)
    # Stripe's own timestamp of the event (not the delivery).
    stripe_created = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
