"""The system path of appointment_cancel/appointment_confirm: a signed
reminder link acts as REMINDER_LINK for a patient, never as "no actor"."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from chairside.core.actors import REMINDER_LINK, REMINDERS, SystemActor
from chairside.core.errors import ChairsideError, PermissionDenied
from chairside.scheduling import appointments
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import Appointment, AppointmentEvent
from chairside.scheduling.models import AppointmentStatus as S
from chairside.scheduling.tests.test_patient_rules import OUTSIDE, stored, visit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

LINK = REMINDER_LINK.acting_for("patient 42 via reminder link")


def last_event(clinic, appointment):
    with schema_context(clinic.schema_name):
        return (
            AppointmentEvent.objects.filter(pgh_obj_id=appointment.pk)
            .select_related("pgh_context")
            .order_by("-pgh_id")
            .first()
        )


def test_the_link_confirms_as_the_system_and_the_trail_says_for_whom(alpha):
    appointment = visit(alpha, OUTSIDE)
    with schema_context(alpha.schema_name):
        appointments.appointment_confirm(actor=LINK, appointment=appointment)
    assert stored(alpha, appointment).status == S.CONFIRMED
    assert last_event(alpha, appointment).pgh_context.metadata == {
        "actor": "system",
        "system": "reminder-link",
        "on_behalf": "patient 42 via reminder link",
    }


def test_the_link_cancels_with_its_reason(alpha):
    appointment = visit(alpha, OUTSIDE)
    with schema_context(alpha.schema_name):
        appointments.appointment_cancel(
            actor=LINK, appointment=appointment, reason="Ill"
        )
    after = stored(alpha, appointment)
    assert (after.status, after.cancellation_reason) == (S.CANCELLED, "Ill")


@pytest.mark.parametrize(
    "actor",
    [REMINDERS.acting_for("patient 42"), SystemActor("anything", "patient 42")],
    ids=["another system part", "an unknown system actor"],
)
def test_only_the_reminder_link_may_change_a_visit_as_the_system(alpha, actor):
    appointment = visit(alpha, OUTSIDE)
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        appointments.appointment_cancel(actor=actor, appointment=appointment)
    assert stored(alpha, appointment).status == S.SCHEDULED


def test_the_system_must_say_for_whom_it_acts(alpha):
    appointment = visit(alpha, OUTSIDE)
    with schema_context(alpha.schema_name), pytest.raises(ValueError, match="whom"):
        appointments.appointment_cancel(actor=REMINDER_LINK, appointment=appointment)
    assert stored(alpha, appointment).status == S.SCHEDULED


def test_a_system_actor_gets_nothing_from_a_persons_policy(alpha):
    appointment = visit(alpha, OUTSIDE)
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        appointments.appointment_update(
            actor=LINK, appointment=appointment, changes={"reason": "x"}
        )


def test_the_system_path_obeys_the_state_machine(alpha):
    done = visit(alpha, OUTSIDE, status=S.NO_SHOW)
    with schema_context(alpha.schema_name), pytest.raises(ChairsideError) as refused:
        appointments.appointment_confirm(actor=LINK, appointment=done)
    assert refused.value.code == SchedulingErrorCode.INVALID_TRANSITION
    with schema_context(alpha.schema_name):
        assert Appointment.objects.get(pk=done.pk).status == S.NO_SHOW
