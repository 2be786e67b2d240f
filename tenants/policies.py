"""Who may change a clinic record: the platform's admins (the console) for
its standing, the clinic's own admin for its profile and Stripe account.

Platform admins are superusers of the public schema (the console signs them
in on the base domain); a clinic's users live in its own schema, so a
clinic admin manages the clinic whose schema the request is in, no other.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from chairside.accounts.policies import is_clinic_admin
from tenants.models import Clinic


def is_platform_admin(actor: Any) -> bool:
    return bool(
        actor.is_authenticated
        and actor.is_active
        and getattr(actor, "is_superuser", False)
        and connection.schema_name == "public"
    )


def can_view_clinics(actor: Any) -> bool:
    """The console's list of every clinic, with counts and sums."""
    return is_platform_admin(actor)


def can_suspend_clinic(actor: Any) -> bool:
    return is_platform_admin(actor)


def can_change_plan(actor: Any) -> bool:
    return is_platform_admin(actor)


def can_provision_clinic(actor: Any) -> bool:
    return is_platform_admin(actor)


def can_manage_clinic(actor: Any, clinic: Clinic) -> bool:
    """Profile and Stripe account: the clinic's admin, in its own schema."""
    return is_clinic_admin(actor) and connection.schema_name == clinic.schema_name
