"""Web sign-in with django-allauth on clinic domains."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail
from django_tenants.utils import schema_context

from chairside.accounts.models import Role, User
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_can_log_in_and_out_on_their_clinic(client, alpha):
    response = client.post(
        "/accounts/login/",
        {"login": "dentist@alpha.test", "password": PASSWORD},
        HTTP_HOST=alpha.host,
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in client.session

    client.post("/accounts/logout/", HTTP_HOST=alpha.host)
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_on_the_clinics_own_host(client, alpha):
    response = client.post(
        "/accounts/password/reset/",
        {"email": "dentist@alpha.test"},
        HTTP_HOST=alpha.host,
    )
    assert response.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert link.startswith(f"http://{alpha.host}/accounts/password/reset/key/")


def test_password_reset_for_another_clinics_user_sends_nothing_useful(client, beta):
    client.post(
        "/accounts/password/reset/",
        {"email": "dentist@alpha.test"},
        HTTP_HOST=beta.host,
    )
    # beta has no such account: no reset link is ever mailed.
    assert all("/reset/key/" not in m.body for m in mail.outbox)


def test_web_signup_never_creates_staff(client, alpha):
    client.post(
        "/accounts/signup/",
        {"email": "newcomer@alpha.test", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=alpha.host,
    )
    with schema_context(alpha.schema_name):
        newcomer = User.objects.filter(email="newcomer@alpha.test").first()
    # Self-signup is for patients of the portal; staff are invited by admins.
    assert newcomer is None or newcomer.role == Role.PATIENT


def test_production_cookies_are_secure_httponly_and_lax():
    # Production settings need production secrets: read them in a child process.
    script = (
        "import json, config.settings.production as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN]))"
    )
    env = {**os.environ, "DJANGO_SECRET_KEY": "s" * 64}
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(output) == [True, True, "Lax", True, None, None]
