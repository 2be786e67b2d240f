"""Reading what PostgreSQL said when a write broke a constraint."""

from __future__ import annotations

import re

from django.db import IntegrityError, models

# A Citus coordinator relays a worker's error with its SQLSTATE and message
# but without the diagnostic fields (constraint, table, schema), adding this
# context line; the message names the shard's constraint: "<name>_<shard id>".
_CITUS_RELAY = "while executing command on "
_QUOTED_SHARD_CONSTRAINT = re.compile(r'constraint "((?:[^"]|"")+)_\d+"')


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke, as PostgreSQL
    reports it (psycopg 3's diagnostics), never guessed from the message:
    the message text is translated and worded by the server's version.

    The one exception is an error a Citus coordinator relays from a worker
    (docs/scale-out.md): Citus drops the diagnostic fields, so the name is
    read from the message (`... constraint "<name>_<shard id>"`), less the shard id
    Citus appends to it. The workers must then report in English
    (`lc_messages = 'C'`), as scripts/citus_cluster sets them up."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name or diag is None or _CITUS_RELAY not in (diag.context or ""):
        return name
    found = _QUOTED_SHARD_CONSTRAINT.search(diag.message_primary or "")
    return found.group(1).replace('""', '"') if found else None


def unique_key(model: type[models.Model], field_name: str) -> str:
    """PostgreSQL's name for the UNIQUE of a `unique=True` field (Django
    declares it inline in CREATE TABLE, so PostgreSQL names it)."""
    column = model._meta.get_field(field_name).column
    return f"{model._meta.db_table}_{column}_key"
