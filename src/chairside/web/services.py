"""Writes behind the settings pages that no other app's services cover yet.

clinic_profile_update and clinic_stripe_account_set belong with tenants.services
(kept here so this app does not edit another team's module); staff_invite
composes accounts.services.user_create with allauth's password-reset key.
"""

from __future__ import annotations

import re

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chairside.accounts.models import STAFF_ROLES, User
from chairside.accounts.services import user_create
from chairside.core.errors import ChairsideError
from tenants.models import Clinic
from tenants.resolution import clinic_forget
from tenants.validators import validate_clinic_settings

STRIPE_ACCOUNT_PATTERN = re.compile(r"^acct_[A-Za-z0-9]{6,}$")


def clinic_profile_update(
    *, clinic: Clinic, name: str, time_zone: str, currency: str, language: str
) -> Clinic:
    validate_clinic_settings(time_zone=time_zone, currency=currency, language=language)
    clinic.name = name.strip()
    clinic.time_zone = time_zone
    clinic.currency = currency
    clinic.default_language = language
    clinic.save(update_fields=["name", "time_zone", "currency", "default_language"])
    clinic_forget(clinic)  # hostname -> clinic is cached per process
    return clinic


def clinic_stripe_account_set(*, clinic: Clinic, account_id: str) -> Clinic:
    """Connect (or, with "", disconnect) the clinic's own Stripe account."""
    account_id = account_id.strip()
    if account_id and not STRIPE_ACCOUNT_PATTERN.match(account_id):
        raise ChairsideError(
            _("A Stripe account id looks like acct_1A2b3C4d5E6f7G8h."),
            code="stripe_account_invalid",
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
            code="stripe_account_taken",
            details={"field": "stripe_account_id"},
        )
    clinic.stripe_account_id = account_id or None
    clinic.save(update_fields=["stripe_account_id"])
    clinic_forget(clinic)
    return clinic


@transaction.atomic
def staff_invite(
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    invited_by: User,
    clinic_url: str,
) -> User:
    """Create a staff account without a password and email a link to set one
    (allauth's password-reset key: single use, expires with the reset timeout)."""
    if role not in STAFF_ROLES:
        raise ChairsideError(
            _("Invite staff as admin, dentist or receptionist."),
            code="role_invalid",
            details={"field": "role"},
        )
    user = user_create(
        email=email,
        password=None,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    key = default_token_generator.make_token(user)
    link = f"{clinic_url}/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/"
    context = {"user": user, "link": link, "invited_by": invited_by}
    transaction.on_commit(
        lambda: send_mail(
            _("You are invited to Chairside"),
            render_to_string("web/email/staff_invite.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )
    return user
