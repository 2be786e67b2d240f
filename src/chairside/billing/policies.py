"""Who may see and change invoices.

Staff see every invoice of their clinic; a patient sees only the invoices of
the Patient record linked to their account. Issuing is for the people who
bill (admin, receptionist, and the dentist who did the work); voiding is for
the front desk and the admin. The services check these themselves
(billing/services.py); pages read them only to decide what to show.
"""

from __future__ import annotations

from typing import Any

from chairside.accounts.models import Role, User
from chairside.accounts.policies import has_role, is_patient, is_staff_member
from chairside.billing.models import Invoice
from chairside.core.actors import STRIPE_WEBHOOK, is_system


def can_list_all_invoices(user: User) -> bool:
    return is_staff_member(user)


def can_view_invoice(user: User, invoice: Invoice) -> bool:
    if is_staff_member(user):
        return True
    return is_patient(user) and invoice.patient.user_id == user.pk


def can_create_invoice(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.RECEPTIONIST, Role.DENTIST)


def can_update_invoice(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.RECEPTIONIST)


def can_reach_invoice(actor: Any, invoice: Invoice) -> bool:
    """Whether `actor` may act on the invoice at all (else it is not found):
    a person who may see it, or a verified Stripe webhook."""
    return is_system(actor, STRIPE_WEBHOOK) or can_view_invoice(actor, invoice)


def can_settle_invoice(actor: Any) -> bool:
    """Who may move money on an invoice: the front desk (manual payments,
    refunds) and Stripe's verified state (card payments, whoever started
    them: payments/reconcile.py). A dentist or a patient never does."""
    return is_system(actor, STRIPE_WEBHOOK) or has_role(
        actor, Role.ADMIN, Role.RECEPTIONIST
    )
