"""Who may see and change invoices.

Staff see every invoice of their clinic; a patient sees only the invoices of
the Patient record linked to their account. Issuing is for the people who
bill (admin, receptionist, and the dentist who did the work); voiding is for
the front desk and the admin.
"""

from __future__ import annotations

from chairside.accounts.models import Role, User
from chairside.accounts.policies import has_role, is_patient, is_staff_member
from chairside.billing.models import Invoice


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
