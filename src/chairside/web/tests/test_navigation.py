from __future__ import annotations

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_clinic_home_sends_staff_to_the_dashboard_and_patients_to_the_portal(
    web, alpha
):
    assert web(alpha, "receptionist").get("/")["Location"] == "/app/"
    assert web(alpha, "patient").get("/")["Location"] == "/portal/"
    anonymous = web(alpha).get("/")
    assert anonymous.status_code == HTTPStatus.OK
    assert b"/accounts/login/" in anonymous.content


def test_receptionist_sees_no_settings_link_and_admin_does(web, alpha):
    receptionist = web(alpha, "receptionist").get("/app/")
    admin = web(alpha, "admin").get("/app/")

    assert receptionist.status_code == HTTPStatus.OK
    assert b'href="/app/settings/"' not in receptionist.content
    assert b'href="/app/settings/"' in admin.content


def test_staff_pages_send_anonymous_visitors_to_login(web, alpha):
    response = web(alpha).get("/app/patients/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/?next=/app/patients/")


def test_patients_cannot_open_staff_pages(web, alpha):
    for path in ("/app/", "/app/patients/", "/app/invoices/"):
        assert web(alpha, "patient").get(path).status_code == HTTPStatus.FORBIDDEN


def test_staff_cannot_open_the_portal(web, alpha):
    response = web(alpha, "receptionist").get("/portal/")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_pages_have_a_skip_link_and_a_labelled_main_navigation(web, alpha):
    html = web(alpha, "admin").get("/app/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert '<nav class="main-nav" aria-label=' in html
    assert 'aria-current="page"' in html
