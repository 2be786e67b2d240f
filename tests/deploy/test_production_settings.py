"""config.settings.production: `check --deploy` clean; the nightly backup wired."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from chairside.core.pg_address import database_url
from conftest import ROOT


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    # Set by the browser tests in this process; a real deployment never has it.
    inherited = {
        k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    full_env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url(),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "BASE_DOMAIN": "chairside.example.com",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        **env,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.django_db
def test_check_deploy_gives_no_warnings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.django_db
def test_production_refuses_to_start_without_a_secret_key():
    result = _run(["manage.py", "check"], DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_beat_runs_the_backup_nightly_once_in_the_public_schema():
    code = """
import json
from config.celery import app
from django.conf import settings
app.loader.import_default_modules()
entry = settings.CELERY_BEAT_SCHEDULE["backup-nightly"]
print(json.dumps({
    "registered": entry["task"] in app.tasks,
    "schemas": entry["tenant_schemas"],
    "hour": sorted(entry["schedule"].hour),
}))
"""
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout.strip().splitlines()[-1])
    assert info == {"registered": True, "schemas": ["public"], "hour": [3]}
