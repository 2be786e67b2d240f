"""The fixed test world: two clinics, alpha and beta, side by side.

Both clinic schemas are created once per session (committed to the test
database); every test then runs inside a transaction that is rolled back.
Each clinic has an admin, a dentist, a receptionist and two patients.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from chairside.core.pg_address import database_url
from tests.world_clinical import (  # noqa: F401  (re-exported for tests)
    build_clinical_world,
    world_chair,
    world_dentist,
    world_patient,
)

ROOT = Path(__file__).resolve().parent
PASSWORD = "correct-horse-battery-staple"
WORLD_USERS = {
    "admin": "admin",
    "dentist": "dentist",
    "receptionist": "receptionist",
    "patient": "patient",
    "patient2": "patient",
}


def _build_world() -> None:
    from django.core.management import call_command

    from chairside.accounts.services import user_create
    from tenants.services import clinic_provision

    call_command("ensure_public_tenant", verbosity=0)
    # Migrate the clinic template once; every clinic the tests create is then
    # a copy of it, exactly as in production signups.
    call_command("clinic_template", verbosity=0)
    from tenants.models import Clinic

    for slug in ("alpha", "beta"):
        # Already there when pytest runs with --reuse-db: keep it.
        if Clinic.objects.filter(slug=slug).exists():
            continue
        clinic, _owner = clinic_provision(
            name=f"{slug.title()} Dental",
            slug=slug,
            owner_email=f"admin@{slug}.test",
            owner_password=PASSWORD,
            time_zone="America/New_York" if slug == "alpha" else "Europe/Madrid",
        )
        with schema_context(clinic.schema_name):
            for local, role in WORLD_USERS.items():
                if local != "admin":
                    user_create(
                        email=f"{local}@{slug}.test", password=PASSWORD, role=role
                    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _build_world()
        # Dentists with hours, chairs, patient records (tests/world_clinical.py).
        build_clinical_world()
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _public_schema_between_tests(request) -> Iterator[None]:
    yield
    if "django_db_setup" in request.fixturenames:
        connection.set_schema_to_public()


@pytest.fixture
def local_caches(monkeypatch) -> Iterator[None]:
    """Per-process caches that store as they do for real requests (tests run
    inside a transaction, where nothing is stored), with an empty
    invalidation stream and empty caches before and after."""
    from django.conf import settings

    from chairside.core import localcache

    redis_url, key = settings.REDIS_URL, localcache.stream.key()

    def empty() -> None:
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).delete(key)
        localcache.stream.reset()
        for cache in localcache.stream.caches():
            cache.clear()

    monkeypatch.setattr(localcache, "may_store", lambda: True)
    empty()
    yield
    empty()


@pytest.fixture
def alpha(db):
    from tenants.models import Clinic

    return Clinic.objects.get(slug="alpha")


@pytest.fixture
def beta(db):
    from tenants.models import Clinic

    return Clinic.objects.get(slug="beta")


def world_user(clinic, local: str):
    from chairside.accounts.models import User

    with schema_context(clinic.schema_name):
        return User.objects.get(email=f"{local}@{clinic.slug}.test")


@dataclass
class ApiClient:
    """A test client speaking to one clinic's host, optionally with a token."""

    client: Client
    host: str
    token: str | None = None

    def _headers(self, extra: dict) -> dict:
        headers = {"HTTP_HOST": self.host, **extra}
        if self.token:
            headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return headers

    def get(self, path: str, **extra):
        return self.client.get(path, **self._headers(extra))

    def delete(self, path: str, **extra):
        return self.client.delete(path, **self._headers(extra))

    def post(self, path: str, data=None, **extra):
        return self.client.post(
            path, data or {}, content_type="application/json", **self._headers(extra)
        )

    def put(self, path: str, data=None, **extra):
        return self.client.put(
            path, data or {}, content_type="application/json", **self._headers(extra)
        )

    def patch(self, path: str, data=None, **extra):
        return self.client.patch(
            path, data or {}, content_type="application/json", **self._headers(extra)
        )


def access_token_for(user, clinic) -> str:
    from chairside.accounts.services import tokens_issue

    with schema_context(clinic.schema_name):
        return tokens_issue(user=user).access


@pytest.fixture
def api(db):
    """api(clinic, "receptionist") -> ApiClient signed in as that world user;
    api(clinic) -> anonymous; api(None) -> the public site."""

    def make(clinic=None, local: str | None = None) -> ApiClient:
        from django.conf import settings

        host = clinic.host if clinic is not None else settings.BASE_DOMAIN
        token = access_token_for(world_user(clinic, local), clinic) if local else None
        return ApiClient(Client(), host, token)

    return make


# --- A real server in a subprocess, for tests that need several processes ---


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_server_factory(django_db_setup):
    """Start gunicorn on the test database; yields a function returning its port."""
    processes: list[subprocess.Popen] = []

    def start(env_overrides: dict[str, str] | None = None, workers: int = 1) -> int:
        from django.conf import settings

        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            # The test database, wherever it is (the embedded server's socket too).
            "DATABASE_URL": database_url(),
            "CHILD_DATABASE_NAME": connection.settings_dict["NAME"],
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
            "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            **(env_overrides or {}),
        }
        proc = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        processes.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return port
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("app server exited during start-up") from None
                time.sleep(0.1)
        raise RuntimeError("app server did not start in 30 s")

    yield start
    for proc in processes:
        proc.terminate()
    for proc in processes:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # gunicorn's graceful stop can outlast 10 s on a loaded machine.
            proc.kill()
            proc.wait(timeout=10)


def pytest_collection_modifyitems(config, items) -> None:
    # Browser tests run last: Playwright's sync API keeps an event loop running
    # in this thread, and Django's async views (health checks) refuse to run
    # under it.
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)
