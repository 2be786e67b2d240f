"""Who may pay, record and refund.

Card payments: the front desk, or the patient the invoice is for. Cash and
bank transfers are recorded by the front desk only (a patient cannot declare
they paid). Refunds move money out of the clinic: admins only. Anyone who may see a
payment may ask Stripe for its outcome; Stripe's state itself is applied as
the STRIPE_WEBHOOK system actor (payments/reconcile.py). The services check
these themselves; pages read them only to decide what to show.
"""

from __future__ import annotations

from chairside.accounts.models import Role, User
from chairside.accounts.policies import has_role, is_clinic_admin, is_patient
from chairside.billing.models import Invoice
from chairside.billing.policies import can_view_invoice


def can_pay_by_card(user: User, invoice: Invoice) -> bool:
    if has_role(user, Role.ADMIN, Role.RECEPTIONIST):
        return True
    return is_patient(user) and invoice.patient.user_id == user.pk


def can_record_manual_payment(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.RECEPTIONIST)


def can_refund(user: User) -> bool:
    return is_clinic_admin(user)


def can_view_payment(user: User, invoice: Invoice) -> bool:
    return can_view_invoice(user, invoice)
