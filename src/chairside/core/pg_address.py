"""Where Django's database is, in the forms other programs take.

Code that opens its own connection (psycopg.connect, a lock held from a second
session) or starts a process that does (pg_dump, wait-for-db, gunicorn, a
Celery worker) must reach the database Django uses: the server DATABASE_URL
names, or the embedded one listening on a unix socket in var/pgdata, and,
under pytest, the session's test database. Libpq's defaults (the system
socket, a database named after the user) are none of those, so everything
takes the address from here, read from Django's connection settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from psycopg.conninfo import make_conninfo

# Django keeps these in HOST/PORT/NAME/USER/PASSWORD, or in OPTIONS when the
# URL carried them as query parameters (pgserver's socket: ?host=<dir>).
_KEYS = {
    "host": "HOST",
    "port": "PORT",
    "dbname": "NAME",
    "user": "USER",
    "password": "PASSWORD",
}


def libpq_params(
    settings_dict: Mapping[str, Any] | None = None, *, dbname: str | None = None
) -> dict[str, str]:
    """host, port, dbname, user, password of the default connection (or of
    `settings_dict`), leaving out what is unset; `dbname` picks another
    database on the same server (e.g. "postgres" to create one)."""
    if settings_dict is None:
        from django.db import connections

        settings_dict = connections["default"].settings_dict
    options = settings_dict.get("OPTIONS") or {}
    params = {
        key: settings_dict.get(django_key) or options.get(key)
        for key, django_key in _KEYS.items()
    }
    if dbname:
        params["dbname"] = dbname
    return {key: str(value) for key, value in params.items() if value}


def conninfo(
    settings_dict: Mapping[str, Any] | None = None, *, dbname: str | None = None
) -> str:
    """A libpq connection string: for psycopg.connect and pg_dump/pg_restore."""
    return make_conninfo(**libpq_params(settings_dict, dbname=dbname))


def database_url(
    settings_dict: Mapping[str, Any] | None = None, *, dbname: str | None = None
) -> str:
    """A DATABASE_URL for a child process that reads its settings from the
    environment. A socket directory goes in `?host=`, which both libpq and
    django-environ read (a path in the URL's host part is neither's)."""
    params = libpq_params(settings_dict, dbname=dbname)
    user = quote(params.get("user", ""), safe="")
    password = quote(params.get("password", ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = params.get("host", "")
    query = ""
    if host.startswith("/"):
        query, host = "?" + urlencode({"host": host}), ""
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address
    port = f":{params['port']}" if "port" in params else ""
    dbname_part = quote(params.get("dbname", ""), safe="")
    return f"postgresql://{credentials}{host}{port}/{dbname_part}{query}"
