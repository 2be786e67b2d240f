"""Browser tests: Playwright drives Debian's Chromium against a gunicorn app
server on the test database (conftest.app_server_factory).

The app server cannot see a test's open transaction, so these tests work on
committed data of their own: the journey signs up a brand-new clinic and
drops it (schema and all) at the end; the world clinics alpha and beta are
only read. Mail goes to files (filebased backend) that the tests read.
Screenshots land in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; Django refuses
    ORM calls from a thread with a running loop unless told it is fine (the
    ORM calls here are test setup and teardown, never concurrent). Only for
    the browser tests, and undone after them."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(config, items) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (make test installs it)")
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded browser.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def mail_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="chairside-e2e-mail-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def e2e_stripe():
    """localstripe in this process (the payments tests' harness): the app
    server talks to it, and it serves the fake Stripe.js to the browser."""
    import stripe

    from tests.stripe_harness import LocalStripe

    _localstripe_card_confirm()
    harness = LocalStripe().start()
    previous = stripe.api_base
    stripe.api_base = harness.url
    yield harness
    stripe.api_base = previous
    harness.stop()


# PaymentIntent id -> the connected account the page's Stripe.js was set up
# with (`Stripe(key, {stripeAccount})`).
_intent_accounts: dict[str, str] = {}


def _localstripe_card_confirm() -> None:
    """Give localstripe the step of real Stripe.js that its fake one skips.

    localstripe's fake card Element takes typed input (`element.value`), but
    its fake `confirmCardPayment` ignores the card and only plays 3-D Secure
    on an intent it expects to be confirmed already. localstripe_confirm.js
    (appended to the fake Stripe.js by `stripe_js_bridge`) posts the typed
    card with the client secret here, as Stripe.js posts it to
    `/v1/payment_intents/<id>/confirm`: we create the PaymentMethod from that
    card and confirm the intent (a 3-D Secure test card then requires
    action). Under `/_config/`, the only prefix localstripe serves without a
    secret key; the client secret is checked instead. Real Stripe.js also
    sends the connected account on every call; the fake does not, so the
    3-D Secure call is stamped with the account given here, which makes the
    webhook carry `account` as Stripe's would.
    Must run before localstripe starts (aiohttp freezes routes at start)."""
    from aiohttp import web
    from localstripe import resources, server
    from localstripe.errors import UserError

    from tests.stripe_harness import _current_account

    app = server.app
    if app.frozen:
        return

    async def confirm(request: web.Request) -> web.Response:
        data = json.loads(await request.text() or "{}")
        intent = resources.PaymentIntent._api_retrieve(request.match_info["id"])
        if (
            not str(data.get("key", "")).startswith("pk_")
            or data.get("client_secret") != intent.client_secret
        ):
            raise UserError(401, "Unauthorized")
        if intent.status != "requires_payment_method":
            raise UserError(400, f"payment_intent has status {intent.status}")
        method = resources.PaymentMethod._api_create(
            type="card",
            card=dict(data.get("card") or {}),
            billing_details={"address": {"postal_code": data.get("postal_code")}},
        )
        if data.get("stripe_account"):
            _intent_accounts[intent.id] = data["stripe_account"]
            _current_account.set(data["stripe_account"])
        intent.payment_method = method.id
        intent._confirm(on_failure_now=intent._report_failure)
        return web.json_response(intent._export())

    @web.middleware
    async def account_of_intent(request: web.Request, handler):
        match = re.match(r"^/v1/payment_intents/(pi_\w+)/_authenticate", request.path)
        if match and not request.headers.get("Stripe-Account"):
            account = _intent_accounts.get(match.group(1))
            if account:
                _current_account.set(account)
        return await handler(request)

    app.router.add_post("/_config/e2e/payment_intents/{id}/confirm", confirm)
    # The harness puts its own account middleware first, in front of this one.
    app.middlewares.insert(0, account_of_intent)


@pytest.fixture
def stripe_js_bridge(page, e2e_stripe) -> None:
    """Serve localstripe's fake Stripe.js with localstripe_confirm.js after it."""
    shim = (Path(__file__).parent / "localstripe_confirm.js").read_text()

    def extend(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + "\n" + shim)

    page.route("**/js.stripe.com/v3/", extend)


@pytest.fixture(scope="session")
def live_server(app_server_factory, mail_dir, e2e_stripe) -> int:
    """The app server's port. Named like pytest-django's fixture (which it
    replaces) so that pytest-django sets the test database up for these tests
    without wrapping them in a transaction the server could not see."""
    from tests.stripe_harness import API_KEY

    return app_server_factory(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            # Signing up provisions a whole clinic schema: give it time.
            "GUNICORN_CMD_ARGS": "--timeout 900 --graceful-timeout 3",
            "STRIPE_SECRET_KEY": API_KEY,
            "STRIPE_PUBLISHABLE_KEY": "pk_test_" + "chairsideLocalStripeKey0123",
            "STRIPE_WEBHOOK_SECRET": "whsec_" + "chairsideE2eSigningSecret01",
            "STRIPE_API_BASE": e2e_stripe.url,
            "STRIPE_JS_URL": f"{e2e_stripe.url}/js.stripe.com/v3/",
        },
        workers=3,
    )


@pytest.fixture
def shot(request):
    """shot(page, "name") saves test-artifacts/<test>-<n>-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    counter = {"n": 0}

    def take(page, name: str) -> None:
        counter["n"] += 1
        page.screenshot(
            path=ARTIFACTS / f"{request.node.name}-{counter['n']:02d}-{name}.png",
            full_page=True,
        )

    return take


def read_mail(mail_dir: Path, to: str) -> str:
    """The newest message sent to `to` (filebased backend: one file per
    connection, messages separated by a line of dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for message in path.read_text().split("-" * 79):
            if f"To: {to}" in message:
                messages.append(message)
    if not messages:
        raise AssertionError(f"no mail to {to}")
    return messages[-1]


@pytest.fixture(autouse=True)
def _live_server_helper() -> None:
    """Replaces pytest-django's helper of the same name, which would request
    transactional_db for tests using `live_server`: its flush would wipe the
    session's committed world (clinics alpha and beta)."""


@pytest.fixture(scope="session", autouse=True)
def _server_before_browser(live_server) -> int:
    """Set up the test database and the app server before Playwright starts
    its event loop: Django keeps connections per async context, and the
    session's database setup must happen in the test thread's own one."""
    return live_server
