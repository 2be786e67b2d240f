from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from chairside.accounts.services import user_deactivate
from conftest import PASSWORD, world_user

pytestmark = pytest.mark.django_db


def obtain(api, clinic, local="receptionist", password=PASSWORD):
    return api(clinic).post(
        "/api/auth/token",
        {"email": f"{local}@{clinic.slug}.test", "password": password},
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_login_returns_access_and_refresh_tokens(api, alpha):
    response = obtain(api, alpha)

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    me = api(alpha).get("/api/me", **bearer(body["access"]))
    assert me.status_code == HTTPStatus.OK
    assert me.json()["email"] == "receptionist@alpha.test"
    assert me.json()["role"] == "receptionist"


def test_wrong_password_is_refused(api, alpha):
    response = obtain(api, alpha, password="wrong")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "credentials_invalid"


def test_user_of_one_clinic_cannot_log_in_at_another(api, alpha, beta):
    response = api(beta).post(
        "/api/auth/token", {"email": "receptionist@alpha.test", "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_web_login_of_one_clinic_fails_at_another(client, alpha, beta):
    response = client.post(
        "/accounts/login/",
        {"login": "receptionist@alpha.test", "password": PASSWORD},
        HTTP_HOST=beta.host,
    )
    assert response.status_code == HTTPStatus.OK  # form redisplayed with errors
    assert "_auth_user_id" not in client.session


def test_token_of_one_clinic_is_refused_at_another_and_on_public(api, alpha, beta):
    access = obtain(api, alpha).json()["access"]

    for client in (api(beta), api(None)):
        response = client.get("/api/me", **bearer(access))
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response.json()["error"]["code"] == "token_invalid"


def test_refresh_rotates_and_each_refresh_token_works_once(api, alpha):
    first = obtain(api, alpha).json()

    rotated = api(alpha).post("/api/auth/refresh", {"refresh": first["refresh"]})
    assert rotated.status_code == HTTPStatus.OK
    second = rotated.json()
    assert second["refresh"] != first["refresh"]
    assert api(alpha).get("/api/me", **bearer(second["access"])).status_code == 200

    third = api(alpha).post("/api/auth/refresh", {"refresh": second["refresh"]})
    assert third.status_code == HTTPStatus.OK


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(api, alpha):
    first = obtain(api, alpha).json()
    second = api(alpha).post("/api/auth/refresh", {"refresh": first["refresh"]}).json()

    replay = api(alpha).post("/api/auth/refresh", {"refresh": first["refresh"]})
    assert replay.status_code == HTTPStatus.UNAUTHORIZED
    assert replay.json()["error"]["code"] == "token_reused"

    # The legitimate holder's newer tokens die with the family.
    assert (
        api(alpha).post("/api/auth/refresh", {"refresh": second["refresh"]}).status_code
        == HTTPStatus.UNAUTHORIZED
    )
    assert api(alpha).get("/api/me", **bearer(second["access"])).status_code == 401


def test_refresh_token_cannot_be_used_as_access_token(api, alpha):
    tokens = obtain(api, alpha).json()
    assert api(alpha).get("/api/me", **bearer(tokens["refresh"])).status_code == 401
    assert (
        api(alpha).post("/api/auth/refresh", {"refresh": tokens["access"]}).status_code
        == 401
    )


def test_logout_revokes_refresh_and_access_tokens(api, alpha):
    tokens = obtain(api, alpha).json()

    response = api(alpha).post("/api/auth/logout", {"refresh": tokens["refresh"]})
    assert response.status_code == HTTPStatus.NO_CONTENT

    me = api(alpha).get("/api/me", **bearer(tokens["access"]))
    assert me.status_code == HTTPStatus.UNAUTHORIZED
    assert me.json()["error"]["code"] == "token_revoked"
    refresh = api(alpha).post("/api/auth/refresh", {"refresh": tokens["refresh"]})
    assert refresh.status_code == HTTPStatus.UNAUTHORIZED


def test_logout_of_one_session_leaves_other_sessions_signed_in(api, alpha):
    phone = obtain(api, alpha).json()
    laptop = obtain(api, alpha).json()
    api(alpha).post("/api/auth/logout", {"refresh": phone["refresh"]})
    assert api(alpha).get("/api/me", **bearer(laptop["access"])).status_code == 200


def test_deactivating_a_user_revokes_their_access_tokens(api, alpha):
    tokens = obtain(api, alpha).json()
    with schema_context(alpha.schema_name):
        user_deactivate(
            actor=world_user(alpha, "admin"), user=world_user(alpha, "receptionist")
        )

    me = api(alpha).get("/api/me", **bearer(tokens["access"]))
    assert me.status_code == HTTPStatus.UNAUTHORIZED
    assert obtain(api, alpha).status_code == HTTPStatus.UNAUTHORIZED


def test_access_token_expires_after_its_lifetime(api, alpha):
    access = obtain(api, alpha).json()["access"]
    later = timezone.now() + settings.JWT_ACCESS_TOKEN_LIFETIME + timedelta(seconds=5)
    with time_machine.travel(later):
        response = api(alpha).get("/api/me", **bearer(access))
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "token_expired"


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_unsigned_alg_none_token_is_refused(api, alpha):
    claims = _claims_of(obtain(api, alpha).json()["access"])
    forged = jwt.encode(claims, key=None, algorithm="none")
    assert api(alpha).get("/api/me", **bearer(forged)).status_code == 401


def test_token_signed_with_another_algorithm_is_refused(api, alpha):
    claims = _claims_of(obtain(api, alpha).json()["access"])
    forged = jwt.encode(claims, settings.JWT_SIGNING_KEY + "x" * 40, algorithm="HS512")
    assert api(alpha).get("/api/me", **bearer(forged)).status_code == 401


def test_token_with_forged_audience_is_refused(api, alpha, beta):
    claims = _claims_of(obtain(api, alpha).json()["access"])
    claims["aud"] = f"chairside:{beta.schema_name}"
    forged = jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256")
    assert api(beta).get("/api/me", **bearer(forged)).status_code == 401


def test_missing_and_garbage_tokens_are_refused(api, alpha):
    assert api(alpha).get("/api/me").status_code == 401
    assert api(alpha).get("/api/me", **bearer("garbage")).status_code == 401


def test_passwords_are_hashed_with_bcrypt_in_production(settings, alpha):
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("BCryptSHA256PasswordHasher")
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    with schema_context(alpha.schema_name):
        user = world_user(alpha, "dentist")
        user.set_password(PASSWORD)
        assert user.password.startswith("bcrypt_sha256$")
        assert user.check_password(PASSWORD)
