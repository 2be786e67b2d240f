#!/usr/bin/env python3
"""Wait until PostgreSQL accepts connections (DATABASE_URL), at most
DB_WAIT_SECONDS (default 60). Exit 0 when it does, 1 when time runs out."""

from __future__ import annotations

import os
import sys
import time

import psycopg


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("wait-for-db: DATABASE_URL is not set", file=sys.stderr)
        return 1
    deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS", "60"))
    last_error = ""
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            return 0
        except psycopg.Error as exc:
            last_error = str(exc).strip().splitlines()[0] if str(exc) else repr(exc)
        if time.monotonic() >= deadline:
            print(f"wait-for-db: database not reachable: {last_error}", file=sys.stderr)
            return 1
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
