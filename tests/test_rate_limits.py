"""Sign-in rate limits, counted in the shared cache across processes."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def started(port: int) -> int:
    """The port once its worker answers: gunicorn listens before the worker
    has loaded the app, which can take longer than a request's timeout on a
    loaded machine, and the counted requests must fall in one rate window."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/live", headers={"Host": "localhost"}
    )
    with urllib.request.urlopen(request, timeout=120):  # noqa: S310
        return port


def post_token(port: int, host: str, email: str, password: str = "wrong"):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/token",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Host": host, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_per_account_limit_is_shared_by_separate_server_processes(
    app_server_factory, alpha
):
    limits = {"AUTH_RATE_PER_ACCOUNT": "4/m", "AUTH_RATE_PER_IP": "1000/m"}
    first = started(app_server_factory(limits))
    second = started(app_server_factory(limits))
    email = "dentist@alpha.test"

    statuses = [post_token(port, alpha.host, email)[0] for port in (first, second) * 2]
    assert statuses == [401, 401, 401, 401]

    status, headers, body = post_token(second, alpha.host, email)
    assert status == 429
    assert body["error"]["code"] == "rate_limited"
    assert 1 <= int(headers["Retry-After"]) <= 60
    # Even the right password waits: the limit protects the account.
    assert (
        post_token(first, alpha.host, email, "correct-horse-battery-staple")[0] == 429
    )
    # Another account from the same address is not blocked by this one.
    assert post_token(first, alpha.host, "admin@alpha.test")[0] == 401


def test_per_ip_limit(app_server_factory, beta):
    port = started(app_server_factory({"AUTH_RATE_PER_IP": "3/m"}))
    statuses = [
        post_token(port, beta.host, f"nobody{i}@beta.test")[0] for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


# --- Redis down: sign-in fails open to per-process counters ------------------

CLOSED_PORT = "redis://127.0.0.1:1"


@pytest.fixture
def redis_down(settings):
    """The default cache pointed at a port nobody listens on (a fresh database
    number per test, so each test sees the outage begin)."""
    import uuid

    def down(**limits: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "chairside.core.ratelimit.FailOpenRedisCache",
                "LOCATION": f"{CLOSED_PORT}/{uuid.uuid4().int % 10_000}",
                "KEY_FUNCTION": "django_tenants.cache.make_key",
                "KEY_PREFIX": f"down-{uuid.uuid4().hex[:8]}",
            }
        }
        for name, rate in limits.items():
            setattr(settings, name, rate)

    return down


def test_api_sign_in_and_refresh_work_while_redis_is_down(api, alpha, redis_down):
    redis_down()
    client = api(alpha)
    pair = client.post(
        "/api/auth/token", {"email": "dentist@alpha.test", "password": PASSWORD}
    )
    assert pair.status_code == HTTPStatus.OK
    rotated = client.post("/api/auth/refresh", {"refresh": pair.json()["refresh"]})
    assert rotated.status_code == HTTPStatus.OK
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {rotated.json()['access']}")
    assert me.json()["email"] == "dentist@alpha.test"


def test_web_login_works_while_redis_is_down(client, alpha, redis_down):
    redis_down()
    response = client.post(
        "/accounts/login/",
        {"login": "dentist@alpha.test", "password": PASSWORD},
        HTTP_HOST=alpha.host,
    )
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" in client.session


def test_the_fallback_still_limits_per_account(api, alpha, redis_down):
    redis_down(AUTH_RATE_PER_ACCOUNT="3/m")
    client = api(alpha)
    body = {"email": "dentist@alpha.test", "password": PASSWORD}
    statuses = [client.post("/api/auth/token", body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_allauths_login_limit_still_applies_while_redis_is_down(
    client, alpha, redis_down
):
    redis_down()
    wrong = {"login": "dentist@alpha.test", "password": "wrong"}
    for _ in range(5):  # allauth: 5 failed attempts per account in 5 minutes
        client.post("/accounts/login/", wrong, HTTP_HOST=alpha.host)
    response = client.post(
        "/accounts/login/",
        {"login": "dentist@alpha.test", "password": PASSWORD},
        HTTP_HOST=alpha.host,
    )
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_the_outage_is_logged_once(api, alpha, redis_down, caplog):
    redis_down()
    body = {"email": "dentist@alpha.test", "password": "wrong"}
    with caplog.at_level(logging.WARNING, logger="chairside.core.ratelimit"):
        for _ in range(3):
            api(alpha).post("/api/auth/token", body)
    warnings = [r for r in caplog.records if r.name == "chairside.core.ratelimit"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_a_server_whose_redis_is_unreachable_signs_in_and_limits(
    app_server_factory, alpha
):
    port = started(
        app_server_factory(
            {"REDIS_URL": f"{CLOSED_PORT}/0", "AUTH_RATE_PER_ACCOUNT": "3/m"}
        )
    )
    email = "receptionist@alpha.test"
    statuses = [post_token(port, alpha.host, email)[0] for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    status, _headers, body = post_token(
        port, alpha.host, "patient2@alpha.test", PASSWORD
    )
    assert status == HTTPStatus.OK
    assert body["access"]
