#!/usr/bin/env python
"""A local fake Stripe for `make run STRIPE_LOCAL=1`.

Runs localstripe (with the Connect pieces from tests/stripe_harness.py) on
STRIPE_API_BASE's port and delivers signed webhooks of each demo clinic's
fake connected account to that clinic's /stripe/webhook/ on the app's port.
Stops by itself when the process given with --watch-pid (make) is gone.

Usage: localstripe_server.py <app-port> [--watch-pid PID]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.stripe_harness import LocalStripe  # noqa: E402

DEMO_SLUGS = ("demo", "riverside")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("app_port", type=int)
    parser.add_argument("--watch-pid", type=int, default=0)
    args = parser.parse_args()
    api_base = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420")
    secret = os.environ["STRIPE_WEBHOOK_SECRET"]
    domain = os.environ.get("BASE_DOMAIN", "localhost")

    harness = LocalStripe(port=urlsplit(api_base).port or 8420)
    harness.start()
    for slug in DEMO_SLUGS:
        harness.register_webhook(
            slug,
            f"http://{slug}.{domain}:{args.app_port}/stripe/webhook/",
            secret,
            account=f"acct_demo{slug}",  # set by chairside.demo.billing
        )
    print(f"localstripe on {harness.url}, webhooks to the demo clinics", flush=True)
    try:
        while not args.watch_pid or _alive(args.watch_pid):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    harness.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
