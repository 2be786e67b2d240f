"""Inviting staff: an account without a password, and an emailed link to
set one (allauth's password-reset key)."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chairside.accounts import policies
from chairside.accounts.models import STAFF_ROLES, User
from chairside.accounts.services import user_create
from chairside.core.errors import ChairsideError


@transaction.atomic
def staff_invite(
    *,
    actor: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    clinic_url: str,
) -> User:
    """Create a staff account without a password and email a link to set one
    (allauth's password-reset key: single use, expires with the reset timeout).
    The clinic's admin invites; the invitation names them."""
    policies.ensure(policies.can_invite_staff(actor))
    if role not in STAFF_ROLES:
        raise ChairsideError(
            _("Invite staff as admin, dentist or receptionist."),
            code="role_invalid",
            details={"field": "role"},
        )
    user = user_create(
        actor=actor,
        email=email,
        password=None,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    key = default_token_generator.make_token(user)
    link = f"{clinic_url}/accounts/password/reset/key/{user_pk_to_url_str(user)}-{key}/"
    context = {"user": user, "link": link, "invited_by": actor}
    transaction.on_commit(
        lambda: send_mail(
            _("You are invited to Chairside"),
            render_to_string("web/email/staff_invite.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )
    return user
