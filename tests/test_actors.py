"""A system actor is never mistaken for a person, and only the system
actors a service names are let through."""

from __future__ import annotations

import pytest

from chairside.accounts import policies
from chairside.core.actors import (
    REMINDER_LINK,
    REMINDERS,
    STRIPE_WEBHOOK,
    SystemActor,
    audit_actor,
    ensure_system,
    is_system,
)
from chairside.core.errors import PermissionDenied


@pytest.mark.parametrize(
    "policy",
    [policies.is_staff_member, policies.is_clinic_admin, policies.is_patient],
)
def test_no_person_policy_grants_a_system_actor_anything(policy):
    assert policy(REMINDERS) is False


def test_ensure_system_accepts_only_the_named_system_actors():
    ensure_system(REMINDERS, REMINDERS, STRIPE_WEBHOOK)
    ensure_system(REMINDER_LINK.acting_for("patient 7"), REMINDER_LINK)
    with pytest.raises(PermissionDenied):
        ensure_system(REMINDER_LINK, STRIPE_WEBHOOK)


def test_a_person_is_not_a_system_actor(django_user_model):
    person = django_user_model(email="x@example.test", role="admin")
    assert not is_system(person)
    with pytest.raises(PermissionDenied):
        ensure_system(person)


def test_audit_context_names_the_system_part_and_for_whom():
    actor = SystemActor("reminder-link").acting_for("patient 7 via link")
    assert audit_actor(actor) == {
        "actor": "system",
        "system": "reminder-link",
        "on_behalf": "patient 7 via link",
    }
