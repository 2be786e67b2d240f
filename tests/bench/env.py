"""Where the benchmark's database lives and the environment its processes share.

The benchmark never touches the development or test databases: it uses its
own database (`chairside_bench`) on the server DATABASE_URL names, or on the
embedded server when DATABASE_URL is unset. Everything listens on loopback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = os.environ.get("BENCH_DATABASE_NAME", "chairside_bench")
# Shared by the orchestrator and its servers so tokens minted here verify
# there; a benchmark-only key, never a production one.
SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-not-for-prod"


def server_url() -> str:
    """A URL to the PostgreSQL server (any database on it)."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    sys.path.insert(0, str(ROOT / "src"))
    from chairside.core.embedded_postgres import DATA_DIR, embedded_database_url

    return embedded_database_url(DATA_DIR)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def bench_url() -> str:
    return with_database(server_url(), BENCH_DB)


def libpq_conninfo(url: str) -> str:
    """psycopg accepts postgres:// URLs, including pgserver's ?host=/socket."""
    return url.replace("postgres://", "postgresql://", 1)


def ensure_database(*, recreate: bool = False) -> bool:
    """Create the benchmark database if missing; True when it was created."""
    admin = with_database(server_url(), "postgres")
    with psycopg.connect(libpq_conninfo(admin), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
        ).fetchone()
        if exists and recreate:
            drop = sql.SQL("DROP DATABASE {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(BENCH_DB)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
            return True
    return False


def process_env(settings_module: str = "config.settings.production") -> dict[str, str]:
    """Environment for Django processes of the benchmark (servers, workers)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": bench_url(),
        "DJANGO_SECRET_KEY": SECRET,
        "JWT_SIGNING_KEY": SECRET,
        # A bench run outlives the default 15-minute access token.
        "JWT_ACCESS_TOKEN_SECONDS": "7200",
        # Plain HTTP on loopback: no TLS redirect, no proxy in front.
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "0",
        "CACHE_KEY_PREFIX": "bench",
        # Field encryption (medical history) with a benchmark-only key.
        "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1mZXJuZXQta2V5LTMyLWJ5dGVzISE=",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
    }
    # The benchmark's own Redis database and queue, so no other worker on
    # the machine takes its tasks.
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env["CELERY_BROKER_URL"] = redis.rsplit("/", 1)[0] + "/9"
    env["CELERY_QUEUE"] = "chairside-bench"
    # Never let the benchmark's Celery tasks reach a real SMS or email
    # provider (see timings.reminders()).
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    return env
