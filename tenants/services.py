"""Provisioning clinics and every later change to a clinic record."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from chairside.accounts.models import Role, User
from chairside.accounts.policies import ensure
from chairside.accounts.services import user_create
from chairside.core.actors import COMMAND, DEMO_SEED, SIGNUP, SystemActor, is_system
from chairside.core.errors import ChairsideError
from tenants import policies
from tenants.errors import ClinicErrorCode
from tenants.models import Clinic, Domain, Plan
from tenants.schema_engine.citus import citus_enabled, clinic_schema_place
from tenants.schema_engine.resolution import clinic_forget
from tenants.schema_engine.schema_clone import (
    clone_template_into,
    cloning_enabled,
    template_is_current,
)
from tenants.schema_engine.spare_pool import spare_claim
from tenants.validators import (
    normalize_slug,
    schema_name_for,
    slug_taken_error,
    validate_clinic_settings,
    validate_slug_format,
)

logger = logging.getLogger(__name__)

STRIPE_ACCOUNT_PATTERN = re.compile(r"^acct_[A-Za-z0-9]{6,}$")


def _plan_for(plan_code: str | None) -> Plan | None:
    if not plan_code:
        return Plan.objects.filter(is_active=True).order_by("monthly_price").first()
    plan = Plan.objects.filter(code=plan_code, is_active=True).first()
    if plan is None:
        raise ChairsideError(
            _("Unknown plan “%(plan)s”.") % {"plan": plan_code},
            code=ClinicErrorCode.PLAN_INVALID,
            details={"field": "plan"},
        )
    return plan


def clinic_provision(
    *,
    actor: User | SystemActor,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str,
    owner_first_name: str = "",
    owner_last_name: str = "",
    time_zone: str = "UTC",
    currency: str = "USD",
    language: str = "en",
    plan_code: str | None = None,
) -> tuple[Clinic, User]:
    """Create a working clinic: its schema, its domain and its owner account.

    Everything happens in one transaction (PostgreSQL DDL is transactional),
    so a failure at any step leaves no schema, domain or user behind. Run
    by the public signup (SIGNUP), an operator's command (COMMAND), the demo
    seed (DEMO_SEED) or a platform admin in the console.
    """
    ensure(
        is_system(actor, SIGNUP, COMMAND, DEMO_SEED)
        or policies.can_provision_clinic(actor)
    )
    slug = normalize_slug(slug)
    validate_slug_format(slug)
    validate_clinic_settings(time_zone=time_zone, currency=currency, language=language)
    plan = _plan_for(plan_code)
    if Clinic.objects.filter(slug=slug).exists():
        raise slug_taken_error(slug)

    try:
        with transaction.atomic():
            clinic = Clinic(
                schema_name=schema_name_for(slug),
                name=name.strip(),
                slug=slug,
                time_zone=time_zone,
                currency=currency,
                default_language=language,
                plan=plan,
            )
            clinic.auto_create_schema = False
            clinic.save(verbosity=0)
            # A spare built ahead of time is a rename (milliseconds); copying
            # the migrated template builds ~550 indexes (seconds); replaying
            # every tenant migration takes minutes, the last resort while no
            # current template exists (or with CLINIC_SCHEMA_CLONING off).
            if spare_claim(clinic.schema_name):
                source = "spare"
            elif cloning_enabled() and template_is_current():
                source = "template"
                clone_template_into(clinic.schema_name)
            else:
                source = "migrations"
                clinic.create_schema(check_if_exists=True, verbosity=0)
            if citus_enabled():
                # On a Citus cluster the schema moves whole to a worker, in
                # this transaction (tenants/schema_engine/citus.py).
                clinic_schema_place(clinic.schema_name, renamed_spare=source == "spare")
            if source != "migrations":
                # Top the pool up again once this commits, off the request
                # path (without a current template there is nothing to copy).
                transaction.on_commit(spare_pool_refill_soon, robust=True)
            Domain.objects.create(
                domain=f"{slug}.{settings.BASE_DOMAIN}", tenant=clinic, is_primary=True
            )
            with schema_context(clinic.schema_name):
                # The owner is created as part of the provisioning the
                # actor was allowed to do.
                owner = user_create(
                    actor=SIGNUP,
                    email=owner_email,
                    password=owner_password,
                    role=Role.ADMIN,
                    first_name=owner_first_name,
                    last_name=owner_last_name,
                )
    except IntegrityError as exc:
        # Two signups raced for the same slug; the loser gets the same answer
        # as if it had come second.
        if Clinic.objects.filter(slug=slug).exists():
            raise slug_taken_error(slug) from exc
        raise
    logger.info("clinic provisioned", extra={"clinic": slug, "schema_from": source})
    return clinic, owner


def spare_pool_refill_soon() -> None:
    from tenants.tasks import spare_pool_fill_task

    spare_pool_fill_task.delay()


def _clinic_save(clinic: Clinic, fields: list[str]) -> Clinic:
    # Every process caches hostname -> clinic for a few seconds: drop this
    # process's copy so the change applies at once here.
    clinic.save(update_fields=fields)
    clinic_forget(clinic)
    return clinic


def clinic_suspend(*, actor: User, clinic: Clinic, reason: str = "") -> Clinic:
    """Refuse every page and API call of the clinic; its data stays untouched."""
    ensure(policies.can_suspend_clinic(actor))
    clinic.status = Clinic.Status.SUSPENDED
    clinic.suspended_reason = reason[:200]
    return _clinic_save(clinic, ["status", "suspended_reason"])


def clinic_reactivate(*, actor: User, clinic: Clinic) -> Clinic:
    ensure(policies.can_suspend_clinic(actor))
    clinic.status = Clinic.Status.ACTIVE
    clinic.suspended_reason = ""
    return _clinic_save(clinic, ["status", "suspended_reason"])


def clinic_profile_update(
    *,
    actor: User,
    clinic: Clinic,
    name: str,
    time_zone: str,
    currency: str,
    language: str,
) -> Clinic:
    ensure(policies.can_manage_clinic(actor, clinic))
    validate_clinic_settings(time_zone=time_zone, currency=currency, language=language)
    clinic.name = name.strip()
    clinic.time_zone = time_zone
    clinic.currency = currency
    clinic.default_language = language
    return _clinic_save(clinic, ["name", "time_zone", "currency", "default_language"])


def clinic_plan_change(*, actor: User, clinic: Clinic, plan: Plan) -> Clinic:
    ensure(policies.can_change_plan(actor))
    clinic.plan = plan
    return _clinic_save(clinic, ["plan"])


def clinic_stripe_account_set(
    *, actor: User | SystemActor, clinic: Clinic, account_id: str
) -> Clinic:
    """Connect (or, with "", disconnect) the clinic's own Stripe account:
    its admin in settings, or an operator (manage.py stripe_connect_clinic)."""
    ensure(is_system(actor, COMMAND) or policies.can_manage_clinic(actor, clinic))
    account_id = account_id.strip()
    if account_id and not STRIPE_ACCOUNT_PATTERN.match(account_id):
        raise ChairsideError(
            _("A Stripe account id looks like acct_1A2b3C4d5E6f7G8h."),
            code=ClinicErrorCode.STRIPE_ACCOUNT_INVALID,
            details={"field": "stripe_account_id"},
        )
    if (
        account_id
        and Clinic.objects.filter(stripe_account_id=account_id)
        .exclude(pk=clinic.pk)
        .exists()
    ):
        raise ChairsideError(
            _("This Stripe account is connected to another clinic."),
            code=ClinicErrorCode.STRIPE_ACCOUNT_TAKEN,
            details={"field": "stripe_account_id"},
        )
    clinic.stripe_account_id = account_id or None
    return _clinic_save(clinic, ["stripe_account_id"])
