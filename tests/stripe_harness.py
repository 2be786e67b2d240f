"""localstripe, run in-process on a free port, with the pieces of Stripe
Connect it lacks: a `GET /v1/account(s)` route (dj-stripe asks who owns its
objects) and the `Stripe-Account` header.

localstripe keeps one global store and knows nothing of connected accounts.
Real Stripe stamps every event of a connected account with `account` and
delivers it to the platform's Connect endpoint. Here a middleware remembers
the `Stripe-Account` header of the request that caused an event (a
contextvar, copied into the delivery task asyncio creates), and the delivery
adds `account` to the payload before signing it exactly as localstripe and
Stripe do (`t=<created>,v1=HMAC-SHA256(secret, "<t>.<body>")`). Deliveries go
to 127.0.0.1 with the clinic's host in the Host header, so no DNS for
*.localhost is needed.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

logger = logging.getLogger(__name__)

# A realistic test key: dj-stripe checks the shape of keys.
API_KEY = "sk_test_" + "chairsideLocalStripeKey0123456789"
PLATFORM_ACCOUNT = "acct_chairsideplatform"

_current_account: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "stripe_account", default=None
)


@dataclass
class Hook:
    url: str
    secret: str
    # Deliver only events of this connected account (None: every event).
    account: str | None = None


@dataclass
class Delivery:
    url: str
    host: str
    body: bytes
    headers: dict[str, str]
    status: int
    event: dict[str, Any]


@dataclass
class ApiCall:
    method: str
    path: str
    account: str | None
    idempotency_key: str | None


@dataclass
class LocalStripe:
    port: int = 0
    hooks: dict[str, Hook] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control, from the test thread ---------------------------------

    def register_webhook(
        self, hook_id: str, url: str, secret: str, account: str | None = None
    ) -> None:
        self.hooks[hook_id] = Hook(url, secret, account)

    def unregister_webhook(self, hook_id: str) -> None:
        self.hooks.pop(hook_id, None)

    def deliveries_of(self, event_type: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.event["type"] == event_type]

    def wait_for(self, predicate, timeout: float = 15.0, interval: float = 0.05) -> Any:
        """Poll until predicate() is truthy (webhooks arrive ~1 s later)."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            time.sleep(interval)

    def start(self) -> LocalStripe:
        from localstripe import resources, server, webhooks

        # Keep everything in memory: localstripe pickles its store to /tmp on
        # every write, which parallel test runs would share.
        resources.store.dump_to_disk = lambda: None
        _install(server.app, self)
        _emit_refund_events(resources, webhooks)
        webhooks._send_webhook = self._send_webhook

        if not self.port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(server.app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="localstripe", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("localstripe did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    # --- webhook delivery, on localstripe's loop --------------------------

    async def _send_webhook(self, event) -> None:
        account = _current_account.get()
        data = event._export()
        if account:
            data["account"] = account
        body = json.dumps(data, indent=2, sort_keys=True).encode()
        # Stripe delivers asynchronously, a moment after the API call.
        await asyncio.sleep(0.3)
        for hook in list(self.hooks.values()):
            if hook.account is not None and hook.account != account:
                continue
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(body, hook.secret, event.created),
            }
            await self._post(hook, body, headers, data)

    async def _post(
        self, hook: Hook, body: bytes, headers: dict[str, str], data: dict
    ) -> None:
        parts = urlsplit(hook.url)
        target = f"{parts.scheme}://127.0.0.1:{parts.port}{parts.path}"
        host = f"{parts.hostname}:{parts.port}"
        status = 0
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    target, data=body, headers={**headers, "Host": host}
                ) as response,
            ):
                status = response.status
        except aiohttp.ClientError:
            logger.exception("webhook delivery to %s failed", hook.url)
        self.deliveries.append(Delivery(hook.url, host, body, headers, status, data))


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """A Stripe-Signature header value for body, as Stripe computes it."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _account_object(account_id: str) -> dict[str, Any]:
    return {
        "id": account_id,
        "object": "account",
        "business_type": "company",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "country": "US",
        "default_currency": "usd",
        "email": None,
        "type": "standard",
        "metadata": {},
        "settings": {"dashboard": {"display_name": account_id}},
        "business_profile": {"name": account_id},
        "created": int(time.time()),
    }


_installed: set[int] = set()


def _emit_refund_events(resources, webhooks) -> None:
    """Stripe sends `charge.refunded` (the charge, with its cumulative
    `amount_refunded`) after a refund; localstripe sends nothing."""
    original = resources.Refund._api_create
    if getattr(original, "_chairside", False):
        return

    def create(**data):
        refund = original(**data)
        charge = resources.Charge._api_retrieve(refund.charge)
        webhooks.schedule_webhook(resources.Event("charge.refunded", charge))
        return refund

    create._chairside = True  # type: ignore[attr-defined]
    resources.Refund._api_create = create


def _install(app: web.Application, harness: LocalStripe) -> None:
    """Add the Connect pieces to localstripe's app (once per process)."""
    if id(app) in _installed:
        app["harness"] = harness
        return
    _installed.add(id(app))
    app["harness"] = harness

    @web.middleware
    async def connect_account(request: web.Request, handler):
        account = request.headers.get("Stripe-Account")
        token = _current_account.set(account)
        request.app["harness"].calls.append(
            ApiCall(
                request.method,
                request.path,
                account,
                request.headers.get("Idempotency-Key"),
            )
        )
        try:
            return await handler(request)
        finally:
            _current_account.reset(token)

    # First, so the account is known to everything that runs after it.
    app.middlewares.insert(0, connect_account)

    async def retrieve_own_account(request: web.Request) -> web.Response:
        account = request.headers.get("Stripe-Account") or PLATFORM_ACCOUNT
        return web.json_response(_account_object(account))

    async def retrieve_account(request: web.Request) -> web.Response:
        return web.json_response(_account_object(request.match_info["id"]))

    app.router.add_get("/v1/account", retrieve_own_account)
    app.router.add_get("/v1/accounts/{id}", retrieve_account)
