"""The status machine knows the clock: check in only on the visit's clinic
day, complete and no-show only once it started; a checked-in visit can be
cancelled (with a reason) or its check-in undone. The staff calendar offers
what appointment_allowed_actions says, and the API refuses the rest.

Frozen at Tuesday 2027-01-05 07:00 in alpha (New York).
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
import time_machine
from django_tenants.utils import tenant_context

from chairside.scheduling import selectors
from chairside.scheduling.models import Appointment, AppointmentStatus
from conftest import world_user
from tests.world_clinical import clinic_dt, world_chair, world_dentist, world_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

S = AppointmentStatus
# Time relations to "now" (07:00 Tuesday), as the start of a 30-minute visit.
WHEN = {
    "tomorrow": "2027-01-06 10:00",
    "later today": "2027-01-05 10:00",
    "under way": "2027-01-05 06:45",
    "over today": "2027-01-05 05:00",
    "yesterday": "2027-01-04 10:00",
}


def visit(clinic, when, status):
    with tenant_context(clinic):
        return Appointment.objects.create(
            patient=world_patient(clinic),
            dentist=world_dentist(clinic),
            chair=world_chair(clinic),
            starts_at=clinic_dt(clinic, WHEN[when]),
            status=status,
        )


R = "reschedule"
STAFF_TABLE = [
    (S.SCHEDULED, "tomorrow", ["cancelled", "confirmed", R]),
    (S.SCHEDULED, "later today", ["cancelled", "checked_in", "confirmed", R]),
    (
        S.SCHEDULED,
        "under way",
        ["cancelled", "checked_in", "confirmed", "no_show", R],
    ),
    (S.SCHEDULED, "over today", ["cancelled", "checked_in", "no_show", R]),
    (S.SCHEDULED, "yesterday", ["cancelled", "no_show", R]),
    (S.CONFIRMED, "tomorrow", ["cancelled", R]),
    (S.CONFIRMED, "later today", ["cancelled", "checked_in", R]),
    (S.CONFIRMED, "under way", ["cancelled", "checked_in", "no_show", R]),
    (S.CHECKED_IN, "later today", ["cancelled", "confirmed"]),
    (S.CHECKED_IN, "under way", ["cancelled", "completed", "confirmed"]),
    (S.CHECKED_IN, "over today", ["cancelled", "completed", "confirmed"]),
    (S.COMPLETED, "over today", []),
    (S.CANCELLED, "tomorrow", []),
    (S.NO_SHOW, "over today", []),
]


@pytest.mark.parametrize(
    ("status", "when", "expected"),
    STAFF_TABLE,
    ids=[f"{s}-{w}" for s, w, _e in STAFF_TABLE],
)
def test_allowed_actions_for_staff(alpha, status, when, expected):
    appointment = visit(alpha, when, status)
    with tenant_context(alpha):
        actions = selectors.appointment_allowed_actions(
            actor=world_user(alpha, "receptionist"), appointment=appointment
        )
    assert sorted(actions) == sorted(expected)


@pytest.mark.parametrize(
    ("status", "when", "expected"),
    STAFF_TABLE,
    ids=[f"{s}-{w}" for s, w, _e in STAFF_TABLE],
)
def test_the_api_does_exactly_what_is_allowed(api, alpha, status, when, expected):
    """Every status change the table refuses is refused by the service, and
    every one it allows goes through."""
    client = api(alpha, "receptionist")
    for target in ["confirmed", "checked_in", "completed", "cancelled", "no_show"]:
        if target == status:
            continue
        appointment = visit(alpha, when, status)
        response = client.patch(
            f"/api/appointments/{appointment.pk}",
            {"status": target, "cancellation_reason": "Patient felt unwell"},
        )
        allowed = target in expected
        assert (response.status_code == HTTPStatus.OK) == allowed, (
            target,
            response.json(),
        )
        # Free the slot for the next target.
        with tenant_context(alpha):
            Appointment.objects.filter(pk=appointment.pk).update(status=S.CANCELLED)


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("checked_in", "appointment_check_in_not_today"),
        ("completed", "appointment_invalid_transition"),
        ("no_show", "appointment_no_show_too_early"),
    ],
)
def test_a_future_visit_cannot_be_checked_in_or_finished(api, alpha, target, code):
    appointment = visit(alpha, "tomorrow", S.SCHEDULED)
    response = api(alpha, "receptionist").patch(
        f"/api/appointments/{appointment.pk}", {"status": target}
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == code


def test_a_checked_in_visit_cannot_be_completed_before_it_starts(api, alpha):
    appointment = visit(alpha, "later today", S.CHECKED_IN)
    response = api(alpha, "receptionist").patch(
        f"/api/appointments/{appointment.pk}", {"status": "completed"}
    )
    assert response.json()["error"]["code"] == "appointment_complete_too_early"


def test_a_checked_in_visit_is_cancelled_with_a_reason(api, alpha):
    appointment = visit(alpha, "later today", S.CHECKED_IN)
    client = api(alpha, "receptionist")
    path = f"/api/appointments/{appointment.pk}"

    refused = client.delete(path)
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["error"]["code"] == "appointment_cancellation_reason_required"
    assert refused.json()["error"]["details"] == {"field": "cancellation_reason"}

    done = client.delete(f"{path}?reason=Dentist called away")
    assert done.status_code == HTTPStatus.OK, done.json()
    assert done.json()["status"] == "cancelled"
    assert done.json()["cancellation_reason"] == "Dentist called away"


def test_a_check_in_is_undone(api, alpha):
    appointment = visit(alpha, "later today", S.CHECKED_IN)
    response = api(alpha, "receptionist").patch(
        f"/api/appointments/{appointment.pk}", {"status": "confirmed"}
    )
    assert response.status_code == HTTPStatus.OK, response.json()
    assert response.json()["status"] == "confirmed"


def test_the_check_in_day_is_the_clinics(api, beta):
    """Beta is in Madrid (UTC+1): at 23:30 UTC Tuesday it is Wednesday there,
    so Wednesday's visits can be checked in and Tuesday's no longer."""
    with (
        time_machine.travel("2027-01-05T23:30:00Z", tick=False),
        tenant_context(beta),
    ):
        wednesday = Appointment.objects.create(
            patient=world_patient(beta),
            dentist=world_dentist(beta),
            chair=world_chair(beta),
            starts_at=clinic_dt(beta, "2027-01-06 10:00"),
        )
        tuesday = Appointment.objects.create(
            patient=world_patient(beta),
            dentist=world_dentist(beta),
            chair=world_chair(beta),
            starts_at=clinic_dt(beta, "2027-01-05 18:00"),
        )
        receptionist = world_user(beta, "receptionist")
        actions = {
            name: selectors.appointment_allowed_actions(
                actor=receptionist, appointment=appointment
            )
            for name, appointment in (("wed", wednesday), ("tue", tuesday))
        }
    assert "checked_in" in actions["wed"]
    assert "checked_in" not in actions["tue"]


PATIENT_TABLE = [
    (S.SCHEDULED, "2027-01-07 10:00", ["cancelled", "confirmed", R]),
    (S.CONFIRMED, "2027-01-07 10:00", ["cancelled", R]),
    (S.SCHEDULED, "2027-01-05 15:00", ["confirmed"]),  # inside the window
    (S.CONFIRMED, "2027-01-05 15:00", []),
    (S.CHECKED_IN, "2027-01-05 15:00", []),
]


@pytest.mark.parametrize(("status", "wall", "expected"), PATIENT_TABLE)
def test_allowed_actions_for_the_patient(alpha, status, wall, expected):
    with tenant_context(alpha):
        appointment = Appointment.objects.create(
            patient=world_patient(alpha),
            dentist=world_dentist(alpha),
            chair=world_chair(alpha),
            starts_at=clinic_dt(alpha, wall),
            status=status,
        )
        actions = selectors.appointment_allowed_actions(
            actor=world_user(alpha, "patient"), appointment=appointment
        )
        assert sorted(actions) == sorted(expected)
        other = selectors.appointment_allowed_actions(
            actor=world_user(alpha, "patient2"), appointment=appointment
        )
        assert other == []
