"""Who may do what, written once and used by the API and the pages alike.

Each policy is a plain predicate on the acting user (and the object, where
the answer depends on it). `ensure` turns a False into a 403.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chairside.accounts.models import STAFF_ROLES, Role, User
from chairside.core.errors import PermissionDenied


def is_staff_member(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in STAFF_ROLES


def is_clinic_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def is_patient(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.PATIENT


def has_role(user: User, *roles: Role) -> bool:
    return user.is_authenticated and user.is_active and user.role in roles


def can_manage_account(actor: User, user: User) -> bool:
    """Clinic admins close accounts of their clinic (the schema is the
    clinic), but not their own: a clinic must not lock out its last admin."""
    return is_clinic_admin(actor) and actor.pk != user.pk


def can_create_account(actor: User) -> bool:
    """Clinic admins create their clinic's accounts (staff invites)."""
    return is_clinic_admin(actor)


def can_invite_staff(actor: User) -> bool:
    return is_clinic_admin(actor)


def ensure(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))
