"""Accounts are created, invited and closed only by whom the services allow,
whichever adapter calls them."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from chairside.accounts.invites import staff_invite
from chairside.accounts.models import Role, TokenFamily, User
from chairside.accounts.services import (
    tokens_issue,
    user_create,
    user_credentials_changed,
)
from chairside.core.actors import COMMAND, REMINDERS, SIGNUP
from chairside.core.errors import PermissionDenied
from conftest import world_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("local", ["dentist", "receptionist", "patient"])
def test_only_a_clinic_admin_creates_accounts(alpha, local):
    actor = world_user(alpha, local)
    with schema_context(alpha.schema_name):
        with pytest.raises(PermissionDenied):
            user_create(
                actor=actor, email="new@alpha.test", password=None, role=Role.ADMIN
            )
        assert not User.objects.filter(email="new@alpha.test").exists()


def test_a_clinic_admin_and_the_signup_create_accounts(alpha):
    admin = world_user(alpha, "admin")
    with schema_context(alpha.schema_name):
        made = user_create(
            actor=admin, email="new@alpha.test", password=None, role=Role.DENTIST
        )
        owner = user_create(
            actor=SIGNUP, email="owner@alpha.test", password=None, role=Role.ADMIN
        )
    assert (made.role, owner.role) == (Role.DENTIST, Role.ADMIN)


def test_a_system_actor_without_the_right_cannot_create_accounts(alpha):
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        user_create(
            actor=REMINDERS, email="new@alpha.test", password=None, role=Role.ADMIN
        )


@pytest.mark.parametrize("local", ["dentist", "receptionist", "patient"])
def test_only_a_clinic_admin_invites_staff(alpha, local):
    actor = world_user(alpha, local)
    with schema_context(alpha.schema_name):
        with pytest.raises(PermissionDenied):
            staff_invite(
                actor=actor,
                email="new@alpha.test",
                role=Role.ADMIN,
                clinic_url=alpha.url,
            )
        assert not User.objects.filter(email="new@alpha.test").exists()
    assert mail.outbox == []


def test_the_invitation_names_the_admin_who_sent_it(
    alpha, django_capture_on_commit_callbacks
):
    admin = world_user(alpha, "admin")
    admin.first_name, admin.last_name = "Ada", "Owner"
    with (
        schema_context(alpha.schema_name),
        django_capture_on_commit_callbacks(execute=True),
    ):
        admin.save(update_fields=["first_name", "last_name"])
        user = staff_invite(
            actor=admin, email="new@alpha.test", role=Role.DENTIST, clinic_url=alpha.url
        )
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["new@alpha.test"]
    assert "Ada Owner invited you" in message.body
    assert "/accounts/password/reset/key/" in message.body


def test_nobody_else_can_end_a_users_sessions_and_tokens(alpha):
    dentist = world_user(alpha, "dentist")
    receptionist = world_user(alpha, "receptionist")
    with schema_context(alpha.schema_name):
        tokens_issue(user=dentist)
        for actor in (receptionist, COMMAND):
            with pytest.raises(PermissionDenied):
                user_credentials_changed(
                    actor=actor, user=dentist, reason="password_changed"
                )
        live = TokenFamily.objects.filter(user=dentist, revoked_at__isnull=True)
        assert live.exists()
        # The user themself (allauth's pages), then it is done.
        user_credentials_changed(actor=dentist, user=dentist, reason="password_changed")
        assert not live.exists()


@pytest.mark.parametrize("email", ["dentist@alpha.test", "DENTIST@alpha.test"])
def test_an_email_already_in_use_is_a_conflict_and_writes_nothing(alpha, email):
    from chairside.core.errors import Conflict

    admin = world_user(alpha, "admin")
    with schema_context(alpha.schema_name):
        count = User.objects.count()
        with pytest.raises(Conflict) as refused:
            user_create(actor=admin, email=email, password=None, role=Role.DENTIST)
        assert refused.value.code == "email_taken"
        assert User.objects.count() == count


def test_another_broken_constraint_is_not_reported_as_a_taken_email(alpha, monkeypatch):
    """Only the email's own constraints mean "taken": any other failure is a
    bug to see, not a misleading form error."""
    from allauth.account.models import EmailAddress
    from django.db import IntegrityError

    def broken(**kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(EmailAddress.objects, "create", broken)
    admin = world_user(alpha, "admin")
    with schema_context(alpha.schema_name), pytest.raises(IntegrityError):
        user_create(
            actor=admin, email="new@alpha.test", password=None, role=Role.DENTIST
        )
