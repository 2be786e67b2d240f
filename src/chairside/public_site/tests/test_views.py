"""Public site pages: signup straight into the clinic, find my clinic."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD
from tenants.models import Clinic

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    return Client(HTTP_HOST="localhost")


def signup_form(**overrides) -> dict:
    return {
        "name": "Gamma Dental",
        "slug": "gamma",
        "owner_first_name": "Gina",
        "owner_last_name": "Gamma",
        "owner_email": "owner@gamma.test",
        "owner_password": PASSWORD,
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "language": "en",
        "plan": "",
    } | overrides


@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/", "/find-clinic/"])
def test_public_pages_render(public, path):
    response = public.get(path)
    assert response.status_code == HTTPStatus.OK
    assert b'<main id="main"' in response.content


def test_pricing_links_preselect_the_plan(public):
    html = public.get("/signup/?plan=practice").content.decode()
    tag = re.search(r'<input[^>]*value="practice"[^>]*>', html).group(0)
    assert "checked" in tag


def test_signup_errors_are_shown_next_to_their_fields(public):
    response = public.post("/signup/", signup_form(slug="alpha", owner_password="1"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'id="id_slug_error"' in html or 'id="id_owner_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Clinic.objects.filter(slug="gamma").exists()


def test_taken_address_is_reported_on_the_address_field(public):
    response = public.post("/signup/", signup_form(slug="alpha"))

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "id_slug_error" in response.content.decode()


def test_signup_lands_the_owner_signed_in_in_the_new_clinic(public):
    response = public.post("/signup/", signup_form())

    assert response.status_code == HTTPStatus.FOUND
    welcome = response["Location"]
    assert welcome.startswith("http://gamma.localhost/welcome/")
    clinic_client = Client(HTTP_HOST="gamma.localhost")
    path = welcome.removeprefix("http://gamma.localhost")

    landed = clinic_client.get(path)

    assert landed.status_code == HTTPStatus.FOUND
    assert landed["Location"] == "/"
    assert clinic_client.get("/")["Location"] == "/app/"
    # The link worked once: signing in changed last_login.
    assert Client(HTTP_HOST="gamma.localhost").get(path).status_code == 400


def test_a_welcome_link_for_one_clinic_is_refused_by_another(public, alpha):
    from chairside.accounts.login_links import login_token_make
    from conftest import world_user

    token = login_token_make(schema_name="beta", user=world_user(alpha, "admin"))
    response = Client(HTTP_HOST=alpha.host).get(f"/welcome/{token}/")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_find_my_clinic_emails_the_sign_in_links(public, alpha):
    response = public.post("/find-clinic/", {"email": "Dentist@alpha.test"})

    assert response.status_code == HTTPStatus.OK
    assert len(mail.outbox) == 1
    assert "http://alpha.localhost/accounts/login/" in mail.outbox[0].body
    assert "beta" not in mail.outbox[0].body


def test_find_my_clinic_says_the_same_for_unknown_addresses(public, alpha):
    known = public.post("/find-clinic/", {"email": "dentist@alpha.test"})
    unknown = public.post("/find-clinic/", {"email": "nobody@nowhere.test"})

    assert len(mail.outbox) == 1

    def page(response, email: str) -> str:
        html = response.content.decode().replace(email, "X")
        return re.sub(
            r'(csrf-token" content|csrfmiddlewaretoken" value)="[^"]+"', "", html
        )

    assert page(known, "dentist@alpha.test") == page(unknown, "nobody@nowhere.test")


def test_find_my_clinic_ignores_suspended_clinics(public, alpha):
    alpha.status = Clinic.Status.SUSPENDED
    alpha.save(update_fields=["status"])

    public.post("/find-clinic/", {"email": "dentist@alpha.test"})

    assert mail.outbox == []


def test_find_my_clinic_is_one_query_for_all_clinics(
    public, alpha, beta, django_assert_max_num_queries
):
    from tenants.selectors import clinic_list_for_email

    # The active clinics, then one UNION ALL over their schemas: two queries
    # however many clinics there are.
    with django_assert_max_num_queries(2):
        found = clinic_list_for_email(email="patient@beta.test")
    assert found == [beta]
