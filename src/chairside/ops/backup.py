"""Database backups that restore: `scripts/backup` and `scripts/restore`.

A backup is a directory `chairside-<UTC time>/` holding
- `full.dump`: pg_dump of the whole database, custom format (every schema:
  the public one with the clinic registry, and every clinic's);
- `clinics/<schema>.dump`: one clinic's schema alone, to put back one clinic
  without touching the others;
- `manifest.json`: when, which clinics, pg_dump's version, and the SHA-256
  of every file (checked before anything is restored).

It is written under a temporary name and renamed when complete, so rotation
(keep the newest BACKUP_KEEP) and restores only ever see whole backups.
With BACKUP_S3_BUCKET set, the finished directory is also uploaded to
S3-compatible storage (DigitalOcean Spaces, AWS S3, MinIO...).

Only the PostgreSQL client tools and psycopg are needed: no Django settings,
so it runs in the web/worker image, on the host, or anywhere with
DATABASE_URL. pg_dump must be at least the server's major version.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from chairside.core.embedded_postgres import DATA_DIR, embedded_database_url

PREFIX = "chairside-"
FULL = "full.dump"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class ClinicSchema:
    slug: str
    schema: str


def _major(pg_tool: str) -> int:
    out = subprocess.run(  # noqa: S603
        [pg_tool, "--version"], capture_output=True, text=True, check=True
    ).stdout
    return int(out.split()[-1].split(".")[0])


def _server_major(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        return conn.info.server_version // 10000


def _tool(name: str, database_url: str) -> str:
    """pg_dump/pg_restore: $PG_DUMP/$PG_RESTORE, else $PG_BIN_DIR/name, else
    the first of PATH's and the embedded PostgreSQL's (pgserver) whose major
    version is at least the server's (an older pg_dump refuses to dump)."""
    override = os.environ.get(name.upper())
    if override:
        return override
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates = [shutil.which(name)]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall/bin" / name))
    except ImportError:
        pass
    usable = [c for c in candidates if c and Path(c).exists()]
    if not usable:
        raise BackupError(f"{name} not found (install postgresql-client)")
    server = _server_major(database_url)
    for candidate in usable:
        if _major(candidate) >= server:
            return candidate
    raise BackupError(
        f"{name} older than the server (PostgreSQL {server}): install "
        f"postgresql-client-{server} or set PG_BIN_DIR"
    )


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def clinic_schemas(database_url: str) -> list[ClinicSchema]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT slug, schema_name FROM tenants_clinic"
            " WHERE schema_name <> 'public' ORDER BY schema_name"
        ).fetchall()
    return [ClinicSchema(slug, schema) for slug, schema in rows]


def backup_create(*, database_url: str, directory: Path, keep: int = 14) -> Path:
    """Dump everything and every clinic; returns the finished backup's path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"{PREFIX}{stamp}"
    if final.exists():
        raise BackupError(f"{final} already exists")
    work = Path(tempfile.mkdtemp(prefix=f".{PREFIX}{stamp}-", dir=directory))
    try:
        pg_dump = _tool("pg_dump", database_url)
        _run([pg_dump, "--format=custom", f"--file={work / FULL}", database_url])
        clinics = clinic_schemas(database_url)
        (work / "clinics").mkdir()
        for clinic in clinics:
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--schema={clinic.schema}",
                    f"--file={work / 'clinics' / f'{clinic.schema}.dump'}",
                    database_url,
                ]
            )
        version = subprocess.run(  # noqa: S603
            [pg_dump, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        files = sorted(p for p in work.rglob("*.dump"))
        manifest = {
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "pg_dump": version,
            "clinics": [{"slug": c.slug, "schema": c.schema} for c in clinics],
            "files": {
                str(p.relative_to(work)): {
                    "sha256": _sha256(p),
                    "bytes": p.stat().st_size,
                }
                for p in files
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        work.chmod(0o700)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    backups_rotate(directory=directory, keep=keep)
    return final


def backups_list(directory: Path) -> list[Path]:
    """Complete backups, oldest first."""
    if not directory.exists():
        return []
    return sorted(
        p for p in directory.iterdir() if p.name.startswith(PREFIX) and p.is_dir()
    )


def backups_rotate(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    if keep < 1:
        raise BackupError("BACKUP_KEEP must be at least 1")
    doomed = backups_list(directory)[:-keep]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def backup_upload(*, backup: Path, bucket: str, prefix: str = "") -> list[str]:
    """Copy a finished backup to S3-compatible storage (boto3; credentials and
    endpoint from AWS_* / BACKUP_S3_ENDPOINT_URL)."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=os.environ.get("BACKUP_S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("BACKUP_S3_REGION") or None,
    )
    keys = []
    for path in sorted(p for p in backup.rglob("*") if p.is_file()):
        key = "/".join(
            part
            for part in (prefix.strip("/"), backup.name, str(path.relative_to(backup)))
            if part
        )
        client.upload_file(
            str(path), bucket, key, ExtraArgs={"ServerSideEncryption": "AES256"}
        )
        keys.append(key)
    return keys


def _manifest_checked(backup: Path) -> dict:
    manifest_path = backup / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{backup} is not a complete backup (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text())
    for name, meta in manifest["files"].items():
        if _sha256(backup / name) != meta["sha256"]:
            raise BackupError(f"{name}: checksum mismatch, refusing to restore")
    return manifest


def restore_all(*, backup: Path, database_url: str) -> None:
    """Put the whole database back as it was (objects are dropped and recreated;
    the database must exist, empty or not)."""
    _manifest_checked(backup)
    _run(
        [
            _tool("pg_restore", database_url),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={database_url}",
            str(backup / FULL),
        ]
    )


def restore_clinic(*, backup: Path, database_url: str, slug: str) -> None:
    """Put one clinic's schema back; every other schema is left alone.

    The clinic must still be registered (its row in tenants_clinic); if it is
    gone, restore the whole backup into a scratch database and copy from there.
    The current schema is set aside under another name until the restore has
    succeeded, so a failed restore leaves the clinic as it was.
    """
    manifest = _manifest_checked(backup)
    schemas = {c["slug"]: c["schema"] for c in manifest["clinics"]}
    if slug not in schemas:
        raise BackupError(f"clinic {slug!r} is not in this backup")
    schema = schemas[slug]
    with psycopg.connect(database_url) as conn:
        registered = conn.execute(
            "SELECT 1 FROM tenants_clinic WHERE slug = %s AND schema_name = %s",
            (slug, schema),
        ).fetchone()
    if not registered:
        raise BackupError(
            f"clinic {slug!r} is not registered in this database; restore the "
            "whole backup instead"
        )
    aside = f"{schema}__before_restore"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(aside))
        )
        conn.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(schema), sql.Identifier(aside)
            )
        )
    try:
        _run(
            [
                _tool("pg_restore", database_url),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={database_url}",
                str(backup / "clinics" / f"{schema}.dump"),
            ]
        )
    except BackupError:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)
                )
            )
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(aside), sql.Identifier(schema)
                )
            )
        raise
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(aside)))


def _latest(directory: Path) -> Path:
    backups = backups_list(directory)
    if not backups:
        raise BackupError(f"no backups in {directory}")
    return backups[-1]


def _database_url_or_embedded(url: str) -> str:
    """The server DATABASE_URL names, else the embedded one the app runs on
    on a machine without PostgreSQL (started if it is not running). Only if
    the app has made it: a server whose DATABASE_URL went missing must not
    back up, or restore into, a new empty database."""
    if url:
        return url
    if not (DATA_DIR / "PG_VERSION").exists():
        raise BackupError(
            f"DATABASE_URL is not set and there is no embedded database in {DATA_DIR}"
        )
    return embedded_database_url(DATA_DIR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="chairside-backup", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="default: $DATABASE_URL, else the embedded server in var/pgdata",
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(os.environ.get("BACKUP_DIR", "var/backups")),
        help="where backups live (default: $BACKUP_DIR or var/backups)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser(
        "backup", help="dump now, rotate, upload if configured"
    )
    create.add_argument(
        "--keep", type=int, default=int(os.environ.get("BACKUP_KEEP", "14"))
    )
    commands.add_parser("list", help="list complete backups")
    restore = commands.add_parser("restore", help="restore all, or one clinic")
    restore.add_argument("backup", nargs="?", help="backup directory (default: latest)")
    restore.add_argument("--clinic", help="restore only this clinic (its slug)")
    restore.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            for path in backups_list(args.dir):
                print(path)
            return 0
        args.database_url = _database_url_or_embedded(args.database_url)
        if args.command == "backup":
            path = backup_create(
                database_url=args.database_url, directory=args.dir, keep=args.keep
            )
            bucket = os.environ.get("BACKUP_S3_BUCKET", "")
            if bucket:
                backup_upload(
                    backup=path,
                    bucket=bucket,
                    prefix=os.environ.get("BACKUP_S3_PREFIX", ""),
                )
            print(path)
            return 0
        backup = Path(args.backup) if args.backup else _latest(args.dir)
        target = f"clinic {args.clinic!r}" if args.clinic else "the WHOLE database"
        if not args.yes:
            answer = input(f"Replace {target} with {backup.name}? Type 'restore': ")
            if answer.strip() != "restore":
                print("aborted", file=sys.stderr)
                return 1
        if args.clinic:
            restore_clinic(
                backup=backup, database_url=args.database_url, slug=args.clinic
            )
        else:
            restore_all(backup=backup, database_url=args.database_url)
        print(f"restored {target} from {backup}")
        return 0
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
