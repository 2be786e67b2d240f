"""Backups that restore: dump, drop, restore, compare every row.

pytest-django's per-test transaction is invisible to pg_dump, and the session's
clinics must not be flushed, so the round trip runs on a scratch database of
its own: a copy of the test database (the committed alpha and beta world) plus
rows seeded through the ORM in a subprocess, created and dropped here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from chairside.core.pg_address import conninfo, database_url
from chairside.ops.backup import (
    BackupError,
    _tool,
    backups_list,
    backups_rotate,
    restore_all,
)
from conftest import ROOT

SEED = """
import django
django.setup()
from datetime import date
from django_tenants.utils import schema_context
from chairside.patients.models import Patient
from tenants.models import Clinic
for slug in ("alpha", "beta"):
    with schema_context(Clinic.objects.get(slug=slug).schema_name):
        for n in range(3):
            Patient.objects.create(
                first_name=f"{slug}-{n}", last_name="Backup",
                email=f"p{n}@{slug}.example", date_of_birth=date(1980, 1, 1 + n),
                medical_history=f"allergic to penicillin ({slug} {n})",
            )
"""


def _admin(sql_text: sql.Composable) -> None:
    with psycopg.connect(conninfo(dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql_text)


def snapshot(conninfo: str) -> dict[str, dict[str, list[str]]]:
    """Every row of every table, and every sequence's position, by schema."""
    result: dict[str, dict[str, list[str]]] = {}
    with psycopg.connect(conninfo) as conn:
        relations = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'S') AND n.nspname NOT IN"
            " ('pg_catalog', 'information_schema', 'pg_toast')"
            " ORDER BY 1, 2"
        ).fetchall()
        for schema, name, kind in relations:
            ident = sql.Identifier(schema, name)
            if kind == "S":
                query = sql.SQL("SELECT last_value::text || is_called::text FROM {}")
            else:
                query = sql.SQL("SELECT t::text FROM {} t")
            rows = conn.execute(query.format(ident)).fetchall()
            result.setdefault(schema, {})[name] = sorted(r[0] for r in rows)
    return result


@pytest.fixture(scope="module")
def scratch_db(django_db_setup, tmp_path_factory) -> Iterator[str]:
    """One scratch database for the module (copying ~2,000 tables is the slow
    part); each test takes its own backups of it."""
    from django.db import connection

    tmp_path = tmp_path_factory.mktemp("scratch")

    test_db = connection.settings_dict["NAME"]
    name = f"{test_db}_bk_{uuid.uuid4().hex[:8]}"
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        source, target = conninfo(dbname=test_db), conninfo(dbname=name)
        copy = tmp_path / "copy.dump"
        subprocess.run(  # noqa: S603
            [_tool("pg_dump", source), "-Fc", f"--file={copy}", source], check=True
        )
        subprocess.run(  # noqa: S603
            [
                _tool("pg_restore", target),
                "--no-owner",
                "--exit-on-error",
                "-d",
                target,
                str(copy),
            ],
            check=True,
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(dbname=name),
            "CHILD_DATABASE_NAME": name,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, timeout=120
        )
        yield target
    finally:
        _admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def _schemas(conninfo: str) -> dict[str, str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT slug, schema_name FROM tenants_clinic").fetchall()
    return dict(rows)


def _script(name: str, *args: str, conninfo: str, backup_dir: Path) -> str:
    result = subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / name), *args],
        env={**os.environ, "DATABASE_URL": conninfo, "BACKUP_DIR": str(backup_dir)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _execute(conninfo: str, schema: str, *statements: sql.Composable) -> None:
    """As the app runs SQL: in the clinic's schema (the audit triggers write
    to their event tables through the search path)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        for statement in statements:
            conn.execute(statement)


def test_backup_drop_restore_gives_back_every_row(scratch_db, tmp_path):
    schemas = _schemas(scratch_db)
    alpha, beta = schemas["alpha"], schemas["beta"]
    before = snapshot(scratch_db)
    assert {"public", alpha, beta} <= before.keys()
    seeded = [r for r in before[alpha]["patients_patient"] if "Backup" in r]
    assert len(seeded) == 3
    assert len(before[beta]["accounts_user"]) == 5

    backups = tmp_path / "backups"
    path = Path(_script("backup", conninfo=scratch_db, backup_dir=backups))
    manifest = json.loads((path / "manifest.json").read_text())
    assert [c["slug"] for c in manifest["clinics"]] == ["alpha", "beta"]
    assert {"full.dump", f"clinics/{alpha}.dump", f"clinics/{beta}.dump"} <= set(
        manifest["files"]
    )

    # Drop the whole database and make an empty one in its place.
    dbname = psycopg.conninfo.conninfo_to_dict(scratch_db)["dbname"]
    _admin(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(dbname)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    assert alpha not in snapshot(scratch_db)

    _script("restore", "--yes", str(path), conninfo=scratch_db, backup_dir=backups)
    assert snapshot(scratch_db) == before

    # A damaged backup is refused before anything is touched.
    with (path / "full.dump").open("ab") as dump:
        dump.write(b"x")
    with pytest.raises(BackupError, match="checksum"):
        restore_all(backup=path, database_url=scratch_db)


def test_restoring_one_clinic_leaves_the_other_untouched(scratch_db, tmp_path):
    schemas = _schemas(scratch_db)
    alpha, beta = schemas["alpha"], schemas["beta"]
    backups = tmp_path / "backups"
    before = snapshot(scratch_db)
    _script("backup", conninfo=scratch_db, backup_dir=backups)

    # Damage alpha (changed rows, a stray table); change beta after the backup.
    _execute(
        scratch_db,
        alpha,
        sql.SQL("UPDATE patients_patient SET medical_history = 'lost'"),
        sql.SQL("DELETE FROM patients_patient WHERE first_name = 'alpha-0'"),
        sql.SQL("CREATE TABLE stray (id int)"),
    )
    _execute(
        scratch_db, beta, sql.SQL("UPDATE patients_patient SET last_name = 'Later'")
    )
    assert snapshot(scratch_db)[alpha] != before[alpha]
    beta_now = snapshot(scratch_db)[beta]

    # The latest backup, by default.
    _script(
        "restore", "--yes", "--clinic", "alpha", conninfo=scratch_db, backup_dir=backups
    )
    after = snapshot(scratch_db)
    assert after[alpha] == before[alpha]
    assert after[beta] == beta_now != before[beta]
    assert after["public"] == before["public"]
    assert f"{alpha}__before_restore" not in after


def test_rotation_keeps_the_newest_complete_backups(tmp_path):
    for stamp in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (tmp_path / f"chairside-{stamp}").mkdir()
    (tmp_path / ".chairside-20260104T000000Z-partial").mkdir()
    deleted = backups_rotate(directory=tmp_path, keep=2)
    assert [p.name for p in deleted] == ["chairside-20260101T000000Z"]
    assert [p.name for p in backups_list(tmp_path)] == [
        "chairside-20260102T000000Z",
        "chairside-20260103T000000Z",
    ]


def test_without_database_url_the_embedded_server_is_backed_up(tmp_path, monkeypatch):
    """A machine without PostgreSQL runs the app on the embedded server
    (var/pgdata); `scripts/backup` with no DATABASE_URL backs that one up."""
    from chairside.core.embedded_postgres import (
        embedded_database_url,
        stop_embedded_server,
    )
    from chairside.ops import backup

    data_dir = tmp_path / "pgdata"
    monkeypatch.setattr(backup, "DATA_DIR", data_dir)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    try:
        url = embedded_database_url(data_dir)  # what the app does on first run
        with psycopg.connect(url) as conn:
            # The one table the backup reads: no clinics registered yet.
            conn.execute("CREATE TABLE tenants_clinic (slug text, schema_name text)")
            conn.execute("CREATE TABLE kept (note text)")
            conn.execute("INSERT INTO kept VALUES ('from the embedded server')")

        code = backup.main(
            ["--dir", str(tmp_path / "backups"), "backup", "--keep", "1"]
        )

        assert code == 0
        (made,) = backups_list(tmp_path / "backups")
        listing = subprocess.run(  # noqa: S603 (our pg_restore, our file)
            [_tool("pg_restore", url), "--list", str(made / backup.FULL)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "TABLE DATA public kept" in listing
    finally:
        stop_embedded_server(data_dir)


def test_without_database_url_or_an_embedded_database_nothing_is_backed_up(
    tmp_path, monkeypatch
):
    """A server whose DATABASE_URL went missing must not back up a new, empty
    embedded database and call it done."""
    from chairside.ops import backup

    monkeypatch.setattr(backup, "DATA_DIR", tmp_path / "never-made")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    code = backup.main(["--dir", str(tmp_path / "backups"), "backup"])

    assert code != 0
    assert backups_list(tmp_path / "backups") == []
    assert not (tmp_path / "never-made").exists()
