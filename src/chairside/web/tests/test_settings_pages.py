from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.scheduling.models import Chair, Dentist, SchedulingSettings
from chairside.scheduling.rules import (
    MAX_CANCELLATION_WINDOW_HOURS,
    MAX_DURATION_MINUTES,
    MAX_FUTURE_ONLINE_BOOKINGS,
    MIN_DURATION_MINUTES,
)
from chairside.scheduling.selectors import scheduling_settings_get

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/app/settings/",
    "/app/settings/profile/",
    "/app/settings/reminders/",
    "/app/settings/online-booking/",
    "/app/settings/staff/",
    "/app/settings/stripe/",
    "/app/settings/dentists/",
    "/app/settings/dentists/new/",
    "/app/settings/chairs/",
    "/app/settings/audit/",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_only_screens_refuse_receptionists_and_dentists(web, alpha, path):
    assert web(alpha, "receptionist").get(path).status_code == HTTPStatus.FORBIDDEN
    assert web(alpha, "dentist").get(path).status_code == HTTPStatus.FORBIDDEN
    assert web(alpha, "admin").get(path).status_code == HTTPStatus.OK


def test_admin_adds_a_dentist_with_hours_and_a_chair(web, alpha):
    client = web(alpha, "admin")
    hours = {
        "hours-TOTAL_FORMS": "7",
        "hours-INITIAL_FORMS": "7",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for day in range(7):
        hours[f"hours-{day}-weekday"] = str(day)
        hours[f"hours-{day}-start_time"] = "09:00" if day < 5 else ""
        hours[f"hours-{day}-end_time"] = "17:00" if day < 5 else ""

    response = client.post(
        "/app/settings/dentists/new/",
        {
            "first_name": "Ines",
            "last_name": "Root",
            "email": "ines@alpha.test",
            **hours,
        },
    )
    chair = client.post("/app/settings/chairs/", {"name": "Room 7"})

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert chair.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        dentist = Dentist.objects.get(email="ines@alpha.test")
        assert dentist.working_hours.count() == 5
        assert Chair.objects.filter(name="Room 7").exists()


def test_shift_that_ends_before_it_starts_is_shown_on_its_row(web, alpha):
    hours = {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "1",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-weekday": "0",
        "hours-0-start_time": "17:00",
        "hours-0-end_time": "09:00",
    }
    response = web(alpha, "admin").post(
        "/app/settings/dentists/new/",
        {"first_name": "Ines", "last_name": "Root", "email": "x@alpha.test", **hours},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The day must end after it starts." in response.content.decode()


def test_staff_invitation_emails_a_set_password_link(
    web, alpha, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web(alpha, "admin").post(
            "/app/settings/staff/",
            {
                "email": "newdesk@alpha.test",
                "role": "receptionist",
                "first_name": "Nina",
            },
        )

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        user = User.objects.get(email="newdesk@alpha.test")
        assert user.role == "receptionist"
        assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "http://alpha.localhost/accounts/password/reset/key/" in mail.outbox[0].body


def test_clinic_profile_changes_time_zone_and_language(web, alpha):
    response = web(alpha, "admin").post(
        "/app/settings/profile/",
        {
            "name": "Alpha Dental",
            "time_zone": "Europe/Lisbon",
            "currency": "EUR",
            "language": "es",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    alpha.refresh_from_db()
    assert (alpha.time_zone, alpha.currency, alpha.default_language) == (
        "Europe/Lisbon",
        "EUR",
        "es",
    )


def test_reminder_settings_save_and_no_longer_show_the_cancellation_window(web, alpha):
    """The window is scheduling's (Online booking page): the reminders page
    neither shows nor writes the old copy of it."""
    from chairside.notifications.selectors import notification_settings_get

    client = web(alpha, "admin")
    page = client.get("/app/settings/reminders/").content.decode()
    response = client.post(
        "/app/settings/reminders/",
        {
            "reminder_offsets": "48, 3",
            "cancellation_window_hours": "12",
            "email_reminders": "on",
        },
    )
    assert 'name="cancellation_window_hours"' not in page
    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        cfg = notification_settings_get()
        assert cfg.reminder_offsets_minutes == [48 * 60, 180]
        assert cfg.sms_reminders is False
        assert scheduling_settings_get().cancellation_window_hours == 24


ONLINE_BOOKING = "/app/settings/online-booking/"


def _rules(clinic) -> tuple[int, int, int]:
    with schema_context(clinic.schema_name):
        row = scheduling_settings_get()
        return (
            row.cancellation_window_hours,
            row.max_online_duration_minutes,
            row.max_future_online_bookings,
        )


def test_online_booking_form_saves_the_scheduling_settings(web, alpha):
    response = web(alpha, "admin").post(
        ONLINE_BOOKING,
        {
            "cancellation_window_hours": "48",
            "max_online_duration_minutes": "60",
            "max_future_online_bookings": "5",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert _rules(alpha) == (48, 60, 5)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cancellation_window_hours", MAX_CANCELLATION_WINDOW_HOURS + 1),
        ("cancellation_window_hours", -1),
        ("max_online_duration_minutes", MAX_DURATION_MINUTES + 1),
        ("max_online_duration_minutes", MIN_DURATION_MINUTES - 1),
        ("max_future_online_bookings", 0),
        ("max_future_online_bookings", MAX_FUTURE_ONLINE_BOOKINGS + 1),
    ],
)
def test_an_out_of_bounds_online_rule_is_a_form_error_and_writes_nothing(
    web, alpha, field, value
):
    before = _rules(alpha)
    data = {
        "cancellation_window_hours": "48",
        "max_online_duration_minutes": "60",
        "max_future_online_bookings": "5",
    } | {field: str(value)}

    response = web(alpha, "admin").post(ONLINE_BOOKING, data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors[field]
    assert _rules(alpha) == before


def test_online_booking_form_posted_back_unchanged_keeps_every_value(web, alpha):
    with schema_context(alpha.schema_name):
        SchedulingSettings.objects.update_or_create(
            pk=1,
            defaults={
                "cancellation_window_hours": 0,
                "max_online_duration_minutes": 45,
                "max_future_online_bookings": 7,
            },
        )
    client = web(alpha, "admin")
    form = client.get(ONLINE_BOOKING).context["form"]
    shown = {name: form[name].value() for name in form.fields}

    response = client.post(ONLINE_BOOKING, shown)

    assert response.status_code == HTTPStatus.FOUND
    assert _rules(alpha) == (0, 45, 7)


def test_online_booking_is_for_admins_only(web, alpha):
    response = web(alpha, "receptionist").post(
        ONLINE_BOOKING, {"cancellation_window_hours": "1"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _rules(alpha)[0] == 24


def test_stripe_account_id_is_validated(web, alpha):
    bad = web(alpha, "admin").post("/app/settings/stripe/", {"stripe_account_id": "x"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    good = web(alpha, "admin").post(
        "/app/settings/stripe/", {"stripe_account_id": "acct_1A2b3C4d5E"}
    )
    assert good.status_code == HTTPStatus.FOUND
    alpha.refresh_from_db()
    assert alpha.stripe_account_id == "acct_1A2b3C4d5E"


def test_audit_log_lists_changes(web, alpha):
    client = web(alpha, "admin")
    client.post(
        "/app/patients/new/",
        {"first_name": "Aud", "last_name": "Ited", "email": "aud@ited.test"},
    )

    response = client.get("/app/settings/audit/")

    assert response.status_code == HTTPStatus.OK
    entry = response.context["entries"][0]
    assert entry["actor"] == "admin@alpha.test"


def test_audit_log_filters_by_who_did_it_and_record_type(web, alpha):
    admin = web(alpha, "admin")
    admin.post(
        "/app/patients/new/",
        {"first_name": "Filt", "last_name": "Ered", "email": "filt@ered.test"},
    )
    web(alpha, "receptionist").post(
        "/app/patients/new/",
        {"first_name": "Desk", "last_name": "Made", "email": "desk@made.test"},
    )

    by_desk = admin.get(
        "/app/settings/audit/",
        {"actor": "RECEPTIONIST@alpha.test", "model": "patients.Patient"},
    )
    nobody = admin.get("/app/settings/audit/", {"actor": "no-one@alpha.test"})

    entries = by_desk.context["entries"]
    assert entries
    assert {e["actor"] for e in entries} == {"receptionist@alpha.test"}
    assert {e["model"] for e in entries} == {"patients.Patient"}
    assert nobody.context["entries"] == []


def test_saving_a_dentist_unchanged_keeps_a_split_days_second_shift(web, alpha):
    """The form shows one shift per day; a split day's afternoon, not
    shown, was deleted by every save of the dentist."""
    from datetime import time

    from chairside.scheduling.models import WorkingHours
    from chairside.web.tests.browser import in_spanish, posted_back
    from chairside.web.tests.factories import dentist_make

    with schema_context(alpha.schema_name):
        dentist = dentist_make()
        for start, end in ((8, 12), (14, 18)):
            WorkingHours.objects.create(
                dentist=dentist, weekday=0, start_time=time(start), end_time=time(end)
            )
    in_spanish(alpha, "admin")
    client = web(alpha, "admin")
    url = f"/app/settings/dentists/{dentist.pk}/"

    response = client.post(url, posted_back(client.get(url).content.decode()))

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        shifts = sorted(
            (h.start_time.hour, h.end_time.hour) for h in dentist.working_hours.all()
        )
    assert shifts == [(8, 12), (14, 18)]
