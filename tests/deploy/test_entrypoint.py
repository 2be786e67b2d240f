"""docker/entrypoint.sh and docker/wait-for-db.py, run directly (no engine here)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chairside.core.pg_address import database_url
from conftest import ROOT, free_port

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


def _env(**extra: str) -> dict[str, str]:
    inherited = {
        k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return {
        **inherited,
        "APP_DIR": str(ROOT),
        "PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # The test database, wherever it is (the embedded server's socket too).
        "DATABASE_URL": database_url(),
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.mark.django_db
def test_wait_for_db_returns_once_the_database_answers():
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [str(ENTRYPOINT), "wait-for-db"],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 10


@pytest.mark.django_db
def test_wait_for_db_gives_up_with_a_reason():
    port = free_port()  # nothing listens there
    result = subprocess.run(  # noqa: S603
        [str(ENTRYPOINT), "web"],
        env=_env(
            DATABASE_URL=f"postgres://nobody@127.0.0.1:{port}/none",
            DB_WAIT_SECONDS="2",
        ),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "database not reachable" in result.stderr


def test_migrate_runs_public_then_tenant_migrations(tmp_path: Path):
    # A stand-in python records what the script runs (a real migrate of
    # every schema is what CI's test database setup already exercises).
    calls = tmp_path / "calls"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    fake.chmod(0o755)
    result = subprocess.run(  # noqa: S603
        [str(ENTRYPOINT), "migrate"],
        env={**os.environ, "PYTHON": str(fake), "APP_DIR": "/app"},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == [
        f"{ROOT}/docker/wait-for-db.py",
        "/app/manage.py migrate_schemas --shared --noinput --verbosity 1",
        "/app/manage.py ensure_public_tenant",
        "/app/manage.py migrate_schemas --tenant --noinput --verbosity 1",
        "/app/manage.py help clinic_template",
        "/app/manage.py clinic_template --verbosity 1",
    ]


@pytest.mark.django_db
def test_web_starts_gunicorn_and_publishes_static_files(tmp_path: Path):
    collected, shared = tmp_path / "collected", tmp_path / "shared"
    (collected / "css").mkdir(parents=True)
    (collected / "css" / "app.0123abcd.css").write_text("body{}")
    shared.mkdir()
    port = free_port()
    proc = subprocess.Popen(  # noqa: S603
        [str(ENTRYPOINT), "web"],
        env=_env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS="1",
            GUNICORN_THREADS="2",
            GUNICORN_TIMEOUT="120",
            STATIC_ROOT=str(collected),
            STATIC_SYNC_DIR=str(shared),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The port opens before the worker has loaded Django: poll.
        deadline = time.monotonic() + 120
        while True:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/health/live", headers={"Host": "localhost"}
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn never answered"
                time.sleep(0.2)
        assert (shared / "css" / "app.0123abcd.css").read_text() == "body{}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)
