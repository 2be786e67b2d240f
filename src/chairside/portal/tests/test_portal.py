from __future__ import annotations

import re
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.accounts.models import User
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from chairside.web.tests.browser import in_spanish, posted_back
from chairside.web.tests.factories import (
    chair_make,
    clinic_local,
    invoice_make,
    open_dentist_make,
    patient_make,
)
from conftest import PASSWORD, world_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(alpha):
    """Patient records linked to the world's two patient accounts."""
    with schema_context(alpha.schema_name):
        mine = Patient.objects.filter(user=world_user(alpha, "patient")).first()
        mine = mine or patient_make(user=world_user(alpha, "patient"))
        theirs = Patient.objects.filter(user=world_user(alpha, "patient2")).first()
        theirs = theirs or patient_make(user=world_user(alpha, "patient2"))
        return mine, theirs


def test_patient_signs_up_and_must_verify_the_email(alpha):
    client = Client(HTTP_HOST=alpha.host)
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Sam",
            "last_name": "Newman",
            "email": "sam@new.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        user = User.objects.get(email="sam@new.test")
        assert user.role == "patient"
        patient = Patient.objects.get(user=user)
        assert (patient.first_name, patient.last_name) == ("Sam", "Newman")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[0].body)
    assert link
    # Not signed in until the address is confirmed.
    assert (
        Client(HTTP_HOST=alpha.host)
        .post("/accounts/login/", {"login": "sam@new.test", "password": PASSWORD})[
            "Location"
        ]
        .startswith("/accounts/confirm-email/")
    )


def test_no_signup_on_the_public_site():
    response = Client(HTTP_HOST="localhost").get("/accounts/signup/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_patient_cannot_open_another_patients_records(web, alpha, own):
    _mine, theirs = own
    with schema_context(alpha.schema_name):
        their_invoice = invoice_make(patient=theirs)
    client = web(alpha, "patient")

    assert client.get(f"/portal/invoices/{their_invoice.pk}/").status_code == 404
    assert client.get(f"/app/patients/{theirs.pk}/").status_code == 403
    assert client.post(f"/portal/invoices/{their_invoice.pk}/pay/").status_code == 404


def test_patient_books_a_free_slot_for_themself(web, alpha, own):
    mine, _theirs = own
    with schema_context(alpha.schema_name):
        dentist = open_dentist_make()
        chair_make()
    client = web(alpha, "patient")

    page = client.get("/portal/book/", {"dentist": dentist.pk})
    assert page.status_code == HTTPStatus.OK
    days = page.context["days"]
    assert days
    # The week's last slot: the first one sits on the window's edge, and
    # passes out of it if the clock crosses a quarter hour between the two
    # requests (it did, at 21:00:00 UTC: the page then shows the refusal).
    slot, name = days[-1][1][-1]
    assert name == str(dentist)

    response = client.post(
        "/portal/book/",
        {"dentist": slot.dentist_id, "start": slot.start.isoformat(), "reason": "Ache"},
    )

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        appointment = Appointment.objects.get(dentist=dentist)
        assert appointment.patient == mine
        assert appointment.starts_at == slot.start


def test_cancel_inside_the_window_is_refused_and_outside_allowed(web, alpha, own):
    mine, _theirs = own
    with schema_context(alpha.schema_name):
        dentist = open_dentist_make()
        chair = chair_make()
        soon = Appointment.objects.create(
            patient=mine, dentist=dentist, chair=chair, starts_at=clinic_local(0, 23)
        )
        later = Appointment.objects.create(
            patient=mine, dentist=dentist, chair=chair, starts_at=clinic_local(5, 10)
        )
    client = web(alpha, "patient")

    client.post(f"/portal/visits/{soon.pk}/cancel/")
    client.post(f"/portal/visits/{later.pk}/cancel/")

    with schema_context(alpha.schema_name):
        soon.refresh_from_db()
        later.refresh_from_db()
    assert soon.status == "scheduled"
    assert later.status == "cancelled"


WINDOW_MESSAGE = "Visits can be booked, changed or cancelled online until 24 hours"


@pytest.fixture
def soon_and_later(alpha, own):
    """One of the patient's visits inside the clinic's 24-hour window, one
    outside it."""
    mine, _theirs = own
    with schema_context(alpha.schema_name):
        dentist, chair = open_dentist_make(), chair_make()
        soon, later = (
            Appointment.objects.create(
                patient=mine, dentist=dentist, chair=chair, starts_at=start
            )
            for start in (timezone.now() + timedelta(hours=3), clinic_local(5, 10))
        )
    return soon, later


def test_the_portal_offers_cancel_and_change_only_outside_the_window(
    web, alpha, soon_and_later
):
    soon, later = soon_and_later

    page = web(alpha, "patient").get("/portal/").content.decode()

    assert f"/portal/visits/{later.pk}/cancel/" in page
    assert f"/portal/visits/{later.pk}/move/" in page
    assert f"/portal/visits/{soon.pk}/cancel/" not in page
    assert f"/portal/visits/{soon.pk}/move/" not in page


def _portal_home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/portal/").status_code == HTTPStatus.OK
    return len(queries)


def test_the_portal_home_reads_the_same_whatever_the_number_of_visits(web, alpha, own):
    """The clinic's online rules are read once, not once per upcoming visit."""
    mine, _theirs = own
    client = web(alpha, "patient")
    with schema_context(alpha.schema_name):
        dentist, chair = open_dentist_make(), chair_make()
        Appointment.objects.create(
            patient=mine, dentist=dentist, chair=chair, starts_at=clinic_local(3, 10)
        )
    _portal_home_queries(client)  # the session's and caches' first reads
    with_one = _portal_home_queries(client)
    with schema_context(alpha.schema_name):
        for day in range(4, 9):
            Appointment.objects.create(
                patient=mine,
                dentist=dentist,
                chair=chair,
                starts_at=clinic_local(day, 10),
            )

    assert _portal_home_queries(client) == with_one


def test_cancelling_inside_the_window_anyway_shows_the_services_refusal(
    web, alpha, soon_and_later
):
    soon, _later = soon_and_later

    response = web(alpha, "patient").post(
        f"/portal/visits/{soon.pk}/cancel/", follow=True
    )

    assert WINDOW_MESSAGE in response.content.decode()
    with schema_context(alpha.schema_name):
        soon.refresh_from_db()
    assert soon.status == "scheduled"


def test_moving_inside_the_window_anyway_shows_the_services_refusal(
    web, alpha, soon_and_later
):
    soon, _later = soon_and_later
    before = (soon.starts_at, soon.dentist_id)
    with schema_context(alpha.schema_name):
        target = clinic_local(6, 11)

    response = web(alpha, "patient").post(
        f"/portal/visits/{soon.pk}/move/",
        {
            "dentist": soon.dentist_id,
            "start": target.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "reason": "",
        },
        follow=True,
    )

    assert WINDOW_MESSAGE in response.content.decode()
    with schema_context(alpha.schema_name):
        soon.refresh_from_db()
    assert (soon.starts_at, soon.dentist_id) == before


def test_profile_saves_the_medical_history(web, alpha, own):
    mine, _theirs = own
    response = web(alpha, "patient").post(
        "/portal/profile/",
        {
            "first_name": "Pat",
            "last_name": "Smile",
            "medical_history": "Asthma",
            "phone": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        mine.refresh_from_db()
        assert mine.medical_history == "Asthma"


def test_portal_invoices_list_only_own(web, alpha, own):
    mine, theirs = own
    with schema_context(alpha.schema_name):
        a = invoice_make(patient=mine)
        b = invoice_make(patient=theirs)
    html = web(alpha, "patient").get("/portal/invoices/").content.decode()
    assert a.number in html
    assert b.number not in html


def test_profile_in_spanish_posted_back_unchanged_keeps_the_date_of_birth(
    web, alpha, own
):
    """The profile form rendered 16/09/1969 in Spanish, which the date
    input shows as blank; saving it then wiped the date of birth."""
    mine, _theirs = own
    in_spanish(alpha, "patient")
    with schema_context(alpha.schema_name):
        Patient.objects.filter(pk=mine.pk).update(
            date_of_birth=date(1969, 9, 16), medical_history="Asma"
        )
    client = web(alpha, "patient")

    page = client.get("/portal/profile/").content.decode()
    response = client.post("/portal/profile/", posted_back(page))

    assert 'value="1969-09-16"' in page
    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        mine.refresh_from_db()
    assert mine.date_of_birth == date(1969, 9, 16)
    assert mine.medical_history == "Asma"
