"""Sign-in rate limits, counted in the shared cache across processes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.django_db


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
    first = app_server_factory(limits)
    second = app_server_factory(limits)
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
    port = app_server_factory({"AUTH_RATE_PER_IP": "3/m"})
    statuses = [
        post_token(port, beta.host, f"nobody{i}@beta.test")[0] for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
