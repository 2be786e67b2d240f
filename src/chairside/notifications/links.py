"""Signed confirm/cancel links for reminder messages (no login needed).

The token names the clinic's schema, the appointment and the start time it
was issued for: it works only on that clinic's host, only for that booking
(a moved appointment's old links stop working) and only until the
appointment ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core import signing
from django.urls import reverse

SALT = "chairside.notifications.appointment-link"
ACTIONS = ("confirm", "cancel")


@dataclass(frozen=True)
class LinkClaim:
    schema: str
    appointment_id: int
    starts_at: datetime


def appointment_token(*, schema: str, appointment_id: int, starts_at: datetime) -> str:
    return signing.dumps(
        {"c": schema, "a": appointment_id, "s": int(starts_at.timestamp())},
        salt=SALT,
        compress=True,
    )


def appointment_token_read(token: str) -> LinkClaim:
    """Raises signing.BadSignature for anything not signed by us."""
    data = signing.loads(token, salt=SALT)
    return LinkClaim(
        schema=str(data["c"]),
        appointment_id=int(data["a"]),
        starts_at=datetime.fromtimestamp(int(data["s"]), tz=UTC),
    )


def appointment_link(*, clinic_url: str, action: str, token: str) -> str:
    assert action in ACTIONS  # noqa: S101 - programming error, not input
    return clinic_url + reverse(f"appointment-{action}", kwargs={"token": token})
