from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django_tenants.utils import schema_context

from chairside.scheduling.models import Appointment
from chairside.web.tests.factories import (
    chair_make,
    clinic_local,
    open_dentist_make,
    patient_make,
)
from conftest import world_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(alpha):
    with schema_context(alpha.schema_name):
        return {
            "dentist": open_dentist_make(),
            "chair": chair_make(),
            "patient": patient_make(),
            "other": patient_make(),
            "start": clinic_local(2, 10),
        }


def wall(moment) -> str:
    """As the page sends it: the clinic's wall-clock time, no offset."""
    return moment.replace(tzinfo=None).isoformat()


def book(client, setup, patient, start):
    return client.post(
        "/app/calendar/book/",
        {
            "patient": patient.pk,
            "dentist": setup["dentist"].pk,
            "chair": setup["chair"].pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 30,
            "reason": "Check-up",
        },
    )


def test_calendar_page_lists_dentists_with_their_hours(web, alpha, setup):
    response = web(alpha, "receptionist").get("/app/calendar/")
    assert response.status_code == HTTPStatus.OK
    resources = response.context["resources"]
    ours = next(r for r in resources if r["id"] == str(setup["dentist"].pk))
    assert {"daysOfWeek": [1], "startTime": "08:00", "endTime": "18:00"} in ours[
        "businessHours"
    ]


def test_booking_then_a_conflict_is_refused_with_a_message(web, alpha, setup):
    client = web(alpha, "receptionist")

    first = book(client, setup, setup["patient"], setup["start"])
    second = book(client, setup, setup["other"], setup["start"])

    assert first.status_code == HTTPStatus.CREATED, first.content
    assert second.status_code == HTTPStatus.CONFLICT
    assert second.json()["error"]["message"]
    with schema_context(alpha.schema_name):
        assert Appointment.objects.filter(dentist=setup["dentist"]).count() == 1


def test_events_feed_and_move(web, alpha, setup, django_assert_max_num_queries):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=setup["dentist"])
    # FullCalendar (UTC mode) asks with a Z; the digits are clinic time.
    start = wall(clinic_local(2, 0)) + "Z"
    end = wall(clinic_local(3, 0)) + "Z"

    # 6, and the request transaction's SAVEPOINT and RELEASE (ATOMIC_REQUESTS).
    with django_assert_max_num_queries(8):
        events = client.get(
            "/app/calendar/events/", {"start": start, "end": end}
        ).json()["events"]

    assert [e["id"] for e in events] == [str(appointment.pk)]
    assert events[0]["start"] == wall(setup["start"])
    assert events[0]["classNames"] == ["status-scheduled"]

    moved = client.post(
        f"/app/appointments/{appointment.pk}/move/",
        {"start": wall(clinic_local(2, 11)), "duration_minutes": 45},
    )
    assert moved.status_code == HTTPStatus.OK, moved.content
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.starts_at == clinic_local(2, 11)
        assert appointment.duration_minutes == 45


def test_move_outside_working_hours_is_refused(web, alpha, setup):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=setup["dentist"])

    moved = client.post(
        f"/app/appointments/{appointment.pk}/move/",
        {"start": wall(clinic_local(2, 19)), "duration_minutes": 30},
    )

    assert moved.status_code >= 400
    assert moved.json()["error"]["message"]


def test_check_in_from_the_dashboard(web, alpha, setup):
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.create(
            patient=setup["patient"],
            dentist=setup["dentist"],
            chair=setup["chair"],
            starts_at=clinic_local(0, 23, 30),
        )
    response = web(alpha, "receptionist").post(
        f"/app/appointments/{appointment.pk}/status/",
        {"status": "checked_in"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == HTTPStatus.OK
    assert "status-checked_in" in response.content.decode()
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.status == "checked_in"


def edit_form(setup, start, **fields):
    return {
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 30,
        "dentist": setup["dentist"].pk,
        "chair": setup["chair"].pk,
        "reason": "Check-up",
    } | fields


def test_edit_form_reschedules_and_writes_reason_and_notes(web, alpha, setup):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=setup["dentist"])
    url = f"/app/appointments/{appointment.pk}/edit/"

    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    # The form opens on the appointment as it is, in the clinic's time.
    assert page.context["form"].initial["start"] == setup["start"].replace(tzinfo=None)
    assert 'name="notes"' in page.content.decode()

    new_start = clinic_local(2, 14)
    saved = client.post(
        url,
        edit_form(
            setup,
            new_start,
            duration_minutes=45,
            reason="Crown fitting",
            notes="Bring the lab's crown.",
        ),
    )

    assert saved.status_code == HTTPStatus.FOUND, saved.content
    assert saved["Location"].endswith(f"?date={new_start.date().isoformat()}")
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.starts_at == new_start
        assert appointment.duration_minutes == 45
        assert appointment.reason == "Crown fitting"
        assert appointment.notes == "Bring the lab's crown."


def test_edit_form_shows_a_conflict_and_changes_nothing(web, alpha, setup):
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    later = clinic_local(2, 12)
    book(client, setup, setup["other"], later)
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(patient=setup["other"])

    refused = client.post(
        f"/app/appointments/{appointment.pk}/edit/",
        edit_form(setup, setup["start"], reason="Moved onto another"),
    )

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.context["form"].non_field_errors()
    assert 'role="alert"' in refused.content.decode()
    with schema_context(alpha.schema_name):
        appointment.refresh_from_db()
        assert appointment.starts_at == later
        assert appointment.reason == "Check-up"


def test_edit_form_of_another_clinics_appointment_is_not_found(web, alpha, beta, setup):
    client = web(beta, "receptionist")
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.create(
            patient=setup["patient"],
            dentist=setup["dentist"],
            chair=setup["chair"],
            starts_at=setup["start"],
        )
    # Same id in beta's schema is either missing or beta's own: never alpha's.
    response = client.get(f"/app/appointments/{appointment.pk}/edit/")
    assert setup["patient"].full_name not in response.content.decode()


def test_patients_cannot_open_the_staff_edit_form(web, alpha, setup):
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.create(
            patient=setup["patient"],
            dentist=setup["dentist"],
            chair=setup["chair"],
            starts_at=setup["start"],
        )
    response = web(alpha, "patient").get(f"/app/appointments/{appointment.pk}/edit/")
    assert response.status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.FOUND}


def test_only_visits_that_can_move_are_draggable(web, alpha, setup):
    """A checked-in or completed visit is not offered for dragging: the
    scheduling service would refuse every move (RESCHEDULABLE)."""
    client = web(alpha, "receptionist")
    book(client, setup, setup["patient"], setup["start"])
    book(client, setup, setup["other"], clinic_local(2, 12))
    with schema_context(alpha.schema_name):
        first, second = Appointment.objects.order_by("starts_at")
        Appointment.objects.filter(pk=second.pk).update(status="checked_in")
    events = client.get(
        "/app/calendar/events/",
        {
            "start": wall(clinic_local(2, 0)) + "Z",
            "end": wall(clinic_local(3, 0)) + "Z",
        },
    ).json()["events"]
    assert {e["id"]: e["editable"] for e in events} == {
        str(first.pk): True,
        str(second.pk): False,
    }


def clinic_days(clinic, *offsets: int) -> list:
    """Clinic-local midnights `offsets` days from today (in the clinic's
    zone: computed inside its schema)."""
    with schema_context(clinic.schema_name):
        return [clinic_local(offset, 0) for offset in offsets]


def feed(client, midnight, first_hour: int = 0, last_hour: int = 24) -> dict:
    """The feed as FullCalendar asks it: its visible hours of one day, the
    clinic's wall-clock digits with a Z (UTC mode)."""
    return client.get(
        "/app/calendar/events/",
        {
            "start": wall(midnight + timedelta(hours=first_hour)) + "Z",
            "end": wall(midnight + timedelta(hours=last_hour)) + "Z",
        },
        HTTP_ACCEPT="application/json",
    ).json()


def visit(setup, start, **fields) -> Appointment:
    """Straight into the table: outside working hours or in the past, as
    imported or demo visits can be (the service would refuse them)."""
    return Appointment.objects.create(
        patient=setup["patient"],
        dentist=setup["dentist"],
        chair=setup["chair"],
        starts_at=start,
        **fields,
    )


def test_a_visit_at_three_in_the_morning_is_inside_the_calendar_hours(
    web, alpha, setup
):
    """The demo's visits at 03:00 clinic time were never fetched (the grid
    asked for 07:00-21:00 only) nor drawn: the dashboard listed 15, the
    calendar showed 5."""
    tomorrow, quiet, later = clinic_days(alpha, 1, 2, 3)
    with schema_context(alpha.schema_name):
        early = visit(setup, tomorrow + timedelta(hours=3))
    client = web(alpha, "receptionist")

    answer = feed(client, tomorrow, first_hour=7, last_hour=21)
    quiet_day = feed(client, quiet, first_hour=7, last_hour=21)

    assert [e["id"] for e in answer["events"]] == [str(early.pk)]
    assert answer["hours"]["slotMinTime"] <= "03:00:00"
    assert answer["hours"]["slotMaxTime"] >= "18:00:00"  # the working day too
    assert quiet_day["hours"]["slotMinTime"] > "03:00:00"
    page = client.get("/app/calendar/")
    assert page.context["hours"] == feed(client, later)["hours"]


def test_a_visit_over_midnight_keeps_the_day_open_to_its_end(web, alpha, setup):
    tomorrow, after = clinic_days(alpha, 1, 2)
    with schema_context(alpha.schema_name):
        visit(setup, tomorrow + timedelta(hours=23, minutes=30), duration_minutes=60)
    client = web(alpha, "receptionist")

    assert feed(client, tomorrow)["hours"]["slotMaxTime"] == "24:00:00"
    assert feed(client, after)["hours"]["slotMinTime"] == "00:00:00"


def test_the_feed_refuses_an_unbounded_range_with_the_error_envelope(web, alpha):
    response = web(alpha, "receptionist").get(
        "/app/calendar/events/",
        {"start": "2020-01-01T00:00:00Z", "end": "2030-01-01T00:00:00Z"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "invalid_input"


def _actions(client, appointment, midnight) -> list[str]:
    events = feed(client, midnight)["events"]
    event = next(e for e in events if e["id"] == str(appointment.pk))
    return event["extendedProps"]["actions"]


def test_a_future_visit_offers_neither_check_in_nor_complete(web, alpha, setup):
    (day,) = clinic_days(alpha, 2)
    with schema_context(alpha.schema_name):
        future = visit(setup, day + timedelta(hours=10))

    actions = _actions(web(alpha, "receptionist"), future, day)

    assert "confirmed" in actions
    assert "cancelled" in actions
    assert not {"checked_in", "completed", "no_show"} & set(actions)


def test_a_started_visit_offers_check_in_then_complete(web, alpha, setup):
    (day,) = clinic_days(alpha, 1)
    with schema_context(alpha.schema_name):
        ours = visit(setup, day + timedelta(hours=10))
    client = web(alpha, "receptionist")
    with time_machine.travel(day + timedelta(hours=10, minutes=10), tick=False):
        before = _actions(client, ours, day)
        with schema_context(alpha.schema_name):
            Appointment.objects.filter(pk=ours.pk).update(status="checked_in")
        after = _actions(client, ours, day)

    assert {"checked_in", "no_show", "cancelled"} <= set(before)
    assert "completed" not in before
    assert "completed" in after
    assert "checked_in" not in after


def test_the_dashboard_row_offers_only_what_the_server_allows(web, alpha, setup):
    (day,) = clinic_days(alpha, 1)
    with schema_context(alpha.schema_name):
        ours = visit(setup, day + timedelta(hours=10), status="checked_in")
    client = web(alpha, "receptionist")
    complete = 'name="status" value="completed"'

    # Checked in early: nothing to complete until the visit has started.
    with time_machine.travel(day + timedelta(hours=9, minutes=50), tick=False):
        early = client.get("/app/").content.decode()
    with time_machine.travel(day + timedelta(hours=10, minutes=5), tick=False):
        started = client.get("/app/").content.decode()

    assert f'id="appointment-{ours.pk}"' in early
    assert complete not in early
    assert complete in started


def test_feed_actions_are_the_scheduling_selectors(web, alpha, setup):
    """The page asks scheduling (no copy of the rules): a checked-in visit
    offers undo check-in ("confirmed") and cancel, and cannot be dragged."""
    from chairside.scheduling.selectors import appointment_allowed_actions

    (day,) = clinic_days(alpha, 1)
    with schema_context(alpha.schema_name):
        ours = visit(setup, day + timedelta(hours=10), status="checked_in")
    client = web(alpha, "receptionist")
    with time_machine.travel(day + timedelta(hours=10, minutes=5), tick=False):
        (event,) = feed(client, day)["events"]
        with schema_context(alpha.schema_name):
            expected = appointment_allowed_actions(
                actor=world_user(alpha, "receptionist"), appointment=ours
            )

    assert event["extendedProps"]["actions"] == expected
    assert {"confirmed", "cancelled", "completed"} <= set(expected)
    assert event["editable"] is False


def test_cancelling_a_checked_in_visit_takes_the_dialogs_reason(web, alpha, setup):
    (day,) = clinic_days(alpha, 1)
    with schema_context(alpha.schema_name):
        ours = visit(setup, day + timedelta(hours=10), status="checked_in")
    client = web(alpha, "receptionist")
    url = f"/app/appointments/{ours.pk}/status/"

    with time_machine.travel(day + timedelta(hours=10, minutes=5), tick=False):
        refused = client.post(
            url, {"status": "cancelled"}, HTTP_ACCEPT="application/json"
        )
        with schema_context(alpha.schema_name):
            ours.refresh_from_db()
        unchanged = ours.status
        done = client.post(
            url,
            {"status": "cancelled", "cancellation_reason": "Toothache gone"},
            HTTP_ACCEPT="application/json",
        )

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["error"]["code"] == "appointment_cancellation_reason_required"
    assert unchanged == "checked_in"
    assert done.status_code == HTTPStatus.OK
    with schema_context(alpha.schema_name):
        ours.refresh_from_db()
    assert (ours.status, ours.cancellation_reason) == ("cancelled", "Toothache gone")


def test_a_feed_bound_inside_the_spring_forward_gap_is_the_instant_after_it(alpha):
    """02:30 on New York's spring-forward day does not exist: it is read as
    03:30 EDT, as every other input is (core.clinic_time.as_clinic_time).
    Kept as 02:30, it compared by its digits and the feed took a range
    ending before it started for a valid one."""
    from zoneinfo import ZoneInfo

    from chairside.web.views.calendar import _parse

    with schema_context(alpha.schema_name):
        start = _parse("2027-03-14T02:30:00Z")
        end = _parse("2027-03-14T03:15:00Z")

    assert start.isoformat() == "2027-03-14T03:30:00-04:00"
    assert start == datetime(2027, 3, 14, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert end <= start


def test_the_booking_dialogs_length_has_schedulings_bounds(web, alpha):
    from chairside.scheduling import rules

    page = web(alpha, "receptionist").get("/app/calendar/").content.decode()

    assert (
        f'min="{rules.MIN_DURATION_MINUTES}" max="{rules.MAX_DURATION_MINUTES}"' in page
    )
    assert f'value="{rules.DEFAULT_DURATION_MINUTES}" required' in page
