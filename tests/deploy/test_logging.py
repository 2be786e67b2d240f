"""Structured logs: request id, clinic and user on each line; no password,
token or patient health data, whatever path it took into a log call."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from conftest import PASSWORD, world_user

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wr0ng-horse-Battery-42!"
HEALTH = "Allergic to penicillin; HIV positive since 2019"


@pytest.fixture
def log_lines():
    """What the configured JSON handler writes, captured."""
    root = logging.getLogger()
    formatter = next(
        h.formatter
        for h in root.handlers
        if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def lines() -> list[str]:
        return stream.getvalue().splitlines()

    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_requests_with_secrets_and_health_data_leave_no_trace_in_logs(
    api, alpha, log_lines
):
    anonymous = api(alpha)
    # A failed sign-in, the password also (wrongly) sent in the query string.
    anonymous.post(
        f"/api/auth/token?password={WRONG_PASSWORD}",
        {"email": "admin@alpha.test", "password": WRONG_PASSWORD},
    )
    signed_in = anonymous.post(
        "/api/auth/token", {"email": "admin@alpha.test", "password": PASSWORD}
    ).json()
    access, refresh = signed_in["access"], signed_in["refresh"]

    staff = api(alpha, "admin")
    created = staff.post(
        f"/api/patients?medical_history={HEALTH}",
        {
            "first_name": "Logan",
            "last_name": "Private",
            "email": "logan@alpha.example",
            "medical_history": HEALTH,
        },
    )
    assert created.status_code == 201, created.content
    # Tokens in a header, a query string and a body.
    me = staff.get(f"/api/me?access_token={access}")
    assert me.status_code == 200
    anonymous.post("/api/auth/refresh", {"refresh": refresh})
    # And what careless code might log itself.
    structlog.get_logger("careless").warning(
        "patient_saved", medical_history=HEALTH, password=PASSWORD, token=access
    )
    logging.getLogger("careless.stdlib").warning(
        "login failed: password=%s Authorization: Bearer %s", WRONG_PASSWORD, access
    )

    lines = log_lines()
    output = "\n".join(lines)
    assert lines, "nothing was logged"
    for secret in (WRONG_PASSWORD, PASSWORD, access, refresh, HEALTH, "penicillin"):
        assert secret not in output
    assert "[redacted]" in output

    events = [json.loads(line) for line in lines]
    finished = [e for e in events if e["event"] == "request_finished"]
    me_line = next(e for e in finished if e["request"].startswith("GET /api/me"))
    admin = world_user(alpha, "admin")
    assert me_line["clinic"] == "alpha"
    assert me_line["user_id"] == admin.pk
    assert me_line["code"] == 200
    assert len(me_line["request_id"]) == 36
    assert len({e["request_id"] for e in finished}) == len(finished)
    failed = next(e for e in finished if e["code"] == 401)
    assert failed["request"] == "POST /api/auth/token?password=[redacted]"
