"""The Twilio backend speaks Twilio's Messages API (checked against a local
stand-in server) and reports refusals as SmsError."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from chairside.notifications.sms import SmsError, SmsMessage, TwilioSmsBackend


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 201

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).requests.append(
            {
                "path": self.path,
                "auth": self.headers["Authorization"],
                "form": {k: v[0] for k, v in parse_qs(body).items()},
            }
        )
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"sid": "SM123", "message": "nope"}).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def twilio(settings):
    FakeTwilio.requests = []
    FakeTwilio.status = 201
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    yield FakeTwilio
    server.shutdown()


def test_twilio_backend_posts_the_message(twilio):
    sid = TwilioSmsBackend().send(SmsMessage(to="+12025550123", body="Hi"))
    assert sid == "SM123"
    [request] = twilio.requests
    assert request["path"] == (
        "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
    )
    assert request["auth"].startswith("Basic ")
    assert request["form"] == {
        "To": "+12025550123",
        "From": "+15005550006",
        "Body": "Hi",
    }


def test_twilio_refusal_is_an_sms_error(twilio):
    twilio.status = 400
    with pytest.raises(SmsError, match="refused"):
        TwilioSmsBackend().send(SmsMessage(to="+1", body="Hi"))


def test_twilio_without_credentials_refuses_to_start(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(SmsError, match="not configured"):
        TwilioSmsBackend()
