"""Stripe: Connect with direct charges. Imported at the end of base.py.

The platform holds one Stripe account (its secret key below); each clinic
connects its own Stripe account and is the merchant of record for its
patients' card payments (see docs/payments.md). Without STRIPE_SECRET_KEY
card payments are reported unavailable and manual payments still work.
"""

from __future__ import annotations

import environ

env = environ.Env()

# The platform's secret key (sk_test_… / sk_live_…). Charges are created on
# each clinic's connected account with the Stripe-Account header.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_LIVE_MODE = STRIPE_SECRET_KEY.startswith("sk_live_")
# dj-stripe reads the key for the current mode from these names.
STRIPE_LIVE_SECRET_KEY = STRIPE_SECRET_KEY if STRIPE_LIVE_MODE else ""
STRIPE_TEST_SECRET_KEY = "" if STRIPE_LIVE_MODE else STRIPE_SECRET_KEY
# Signing secret (whsec_…) of the platform's Connect webhook endpoint.
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Stripe's own default: signatures older than 5 minutes are replays.
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# Only for a fake Stripe (localstripe) in tests and `make run STRIPE_LOCAL=1`;
# production refuses to start with it set.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# The platform's cut of each card payment, in percent (0 = none).
STRIPE_APPLICATION_FEE_PERCENT = env.float("STRIPE_APPLICATION_FEE_PERCENT", default=0)

# dj-stripe: Stripe ids as foreign keys; signature verification only. Its
# stock webhook view (which honours a header secret when DEBUG is on) is not
# routed; chairside.payments.webhooks verifies every event itself.
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
