"""A real PostgreSQL 16 from the `pgserver` wheel, for machines without one.

Used only when DATABASE_URL is unset. The server keeps running between
commands (its data lives in var/pgdata) so `manage.py` calls stay quick;
`make db-stop` stops it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

DATABASE_NAME = "chairside"
# Where the app keeps the embedded server's data (var/ in the checkout):
# settings, scripts/backup, `make db-stop` and the bench all take it from here.
DATA_DIR = Path(__file__).resolve().parents[3] / "var" / "pgdata"


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return a URL to its database."""
    warnings.filterwarnings("ignore", module="platformdirs")
    # pgserver logs from an atexit hook, after test runners close the streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    import pgserver  # imported lazily: only needed without DATABASE_URL

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    # DATABASE_NAME is a constant, not input.
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
    exists = server.psql(query)
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        logger.info("created embedded database %s in %s", DATABASE_NAME, data_dir)
    # pgserver's URI points at its unix socket: postgresql://postgres:@/postgres?host=…
    return server.get_uri(DATABASE_NAME)


def stop_embedded_server(data_dir: Path) -> None:
    import pgserver

    if (data_dir / "postmaster.pid").exists():
        pgserver.get_server(data_dir, cleanup_mode="stop")
