"""A small pluggable SMS layer, shaped like Django's email backends.

SMS_BACKEND picks the class: Console (development), Locmem (tests, read
`outbox`), Twilio (production: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
TWILIO_FROM_NUMBER). Backends raise SmsError when a message was not accepted.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    reference: str = ""  # our idempotency reference, for logs and providers


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the provider's id for it."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, message: SmsMessage) -> str:
        sys.stdout.write(
            f"SMS to {message.to} [{message.reference}]\n{message.body}\n\n"
        )
        sys.stdout.flush()
        return f"console-{message.reference}"


class LocmemSmsBackend(BaseSmsBackend):
    outbox: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> str:
        type(self).outbox.append(message)
        return f"locmem-{len(type(self).outbox)}"


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Messages API over plain HTTPS (no SDK needed for one call)."""

    def __init__(self) -> None:
        self.sid = settings.TWILIO_ACCOUNT_SID
        self.token = settings.TWILIO_AUTH_TOKEN
        self.sender = settings.TWILIO_FROM_NUMBER
        if not (self.sid and self.token and self.sender):
            raise SmsError("Twilio is not configured (TWILIO_* settings).")

    def send(self, message: SmsMessage) -> str:
        url = (
            f"{settings.TWILIO_API_BASE}/2010-04-01/Accounts/"
            f"{urllib.parse.quote(self.sid)}/Messages.json"
        )
        body = urllib.parse.urlencode(
            {"To": message.to, "From": self.sender, "Body": message.body}
        ).encode()
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - URL from settings
            url, data=body, headers={"Authorization": f"Basic {auth}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                payload = json.load(response)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise SmsError(
                f"Twilio refused the message ({exc.code}): {detail}"
            ) from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise SmsError(f"Twilio unreachable: {exc}") from exc
        return str(payload.get("sid", ""))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(message: SmsMessage) -> str:
    return get_sms_backend().send(message)
