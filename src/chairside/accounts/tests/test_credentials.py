"""Every credential change closes what was opened under the old credentials:
the user's API tokens stop and their other browser sessions end, while the
browser that made the change stays signed in."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from chairside.accounts.services import tokens_issue, user_create, user_deactivate
from chairside.core.actors import COMMAND
from chairside.core.errors import PermissionDenied
from conftest import PASSWORD, world_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def web_login(clinic, local: str) -> Client:
    """A browser signed in as a world user (a session in the clinic's schema)."""
    client = Client()
    with schema_context(clinic.schema_name):
        client.force_login(world_user(clinic, local))
    return client


def signed_in(client: Client, clinic) -> bool:
    page = client.get("/accounts/password/change/", HTTP_HOST=clinic.host)
    return page.status_code == HTTPStatus.OK


def api_tokens(api, clinic, local: str, password: str = PASSWORD) -> dict:
    response = api(clinic).post(
        "/api/auth/token",
        {"email": f"{local}@{clinic.slug}.test", "password": password},
    )
    assert response.status_code == HTTPStatus.OK
    return response.json()


def assert_refused(api, clinic, tokens: dict) -> None:
    me = api(clinic).get("/api/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == HTTPStatus.UNAUTHORIZED
    assert me.json()["error"]["code"] == "token_revoked"
    refresh = api(clinic).post("/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED


def assert_works(api, clinic, tokens: dict) -> None:
    me = api(clinic).get("/api/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == HTTPStatus.OK


def test_changing_the_password_revokes_tokens_and_ends_other_sessions(api, alpha):
    tokens = api_tokens(api, alpha, "dentist")
    here, elsewhere = web_login(alpha, "dentist"), web_login(alpha, "dentist")
    colleague = web_login(alpha, "receptionist")
    colleague_tokens = api_tokens(api, alpha, "receptionist")

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=alpha.host,
    )

    assert response.status_code == HTTPStatus.FOUND
    assert signed_in(here, alpha)
    assert not signed_in(elsewhere, alpha)
    assert_refused(api, alpha, tokens)
    # Nobody else is touched, and the new password signs in.
    assert signed_in(colleague, alpha)
    assert_works(api, alpha, colleague_tokens)
    assert_works(api, alpha, api_tokens(api, alpha, "dentist", NEW_PASSWORD))


def test_resetting_the_password_revokes_tokens_and_ends_every_session(api, alpha):
    tokens = api_tokens(api, alpha, "dentist")
    browser = web_login(alpha, "dentist")
    resetter = Client()
    resetter.post(
        "/accounts/password/reset/",
        {"email": "dentist@alpha.test"},
        HTTP_HOST=alpha.host,
    )
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    form = resetter.get(urlsplit(link).path, HTTP_HOST=alpha.host)

    response = resetter.post(
        form.url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=alpha.host,
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not signed_in(browser, alpha)
    assert_refused(api, alpha, tokens)


def test_setting_a_first_password_revokes_tokens_and_ends_other_sessions(api, alpha):
    with schema_context(alpha.schema_name):
        user = user_create(
            actor=COMMAND, email="invited@alpha.test", password=None, role="dentist"
        )
        tokens = tokens_issue(user=user)
        here, elsewhere = Client(), Client()
        here.force_login(user)
        elsewhere.force_login(user)

    response = here.post(
        "/accounts/password/set/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=alpha.host,
    )

    assert response.status_code == HTTPStatus.FOUND
    assert signed_in(here, alpha)
    assert not signed_in(elsewhere, alpha)
    assert_refused(api, alpha, {"access": tokens.access, "refresh": tokens.refresh})


def test_changing_the_email_revokes_tokens_and_ends_other_sessions(api, alpha):
    tokens = api_tokens(api, alpha, "dentist")
    here, elsewhere = web_login(alpha, "dentist"), web_login(alpha, "dentist")
    dentist = world_user(alpha, "dentist")
    with schema_context(alpha.schema_name):
        EmailAddress.objects.create(
            user=dentist,
            email="dana.root@alpha.test",
            verified=True,
            primary=False,
        )

    here.post(
        "/accounts/email/",
        {"action_primary": "", "email": "dana.root@alpha.test"},
        HTTP_HOST=alpha.host,
    )

    with schema_context(alpha.schema_name):
        dentist.refresh_from_db()
    assert dentist.email == "dana.root@alpha.test"
    assert signed_in(here, alpha)
    assert not signed_in(elsewhere, alpha)
    assert_refused(api, alpha, tokens)


def test_deactivation_revokes_tokens_and_ends_every_session(api, alpha):
    tokens = api_tokens(api, alpha, "dentist")
    browser = web_login(alpha, "dentist")
    with schema_context(alpha.schema_name):
        user_deactivate(
            actor=world_user(alpha, "admin"), user=world_user(alpha, "dentist")
        )

    assert not signed_in(browser, alpha)
    me = api(alpha).get("/api/me", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == HTTPStatus.UNAUTHORIZED
    refresh = api(alpha).post("/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED
    with schema_context(alpha.schema_name):
        assert not [
            s
            for s in Session.objects.all()
            if s.get_decoded().get("_auth_user_id")
            == str(world_user(alpha, "dentist").pk)
        ]


@pytest.mark.parametrize(
    ("actor", "target"),
    [("dentist", "receptionist"), ("receptionist", "dentist"), ("admin", "admin")],
)
def test_only_admins_deactivate_and_never_themselves(alpha, actor, target):
    with schema_context(alpha.schema_name), pytest.raises(PermissionDenied):
        user_deactivate(actor=world_user(alpha, actor), user=world_user(alpha, target))
