"""Reading what PostgreSQL said when a write broke a constraint."""

from __future__ import annotations

from django.db import IntegrityError, models


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke, as PostgreSQL
    reports it (psycopg 3's diagnostics), never guessed from the message:
    the message text is translated and worded by the server's version."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def unique_key(model: type[models.Model], field_name: str) -> str:
    """PostgreSQL's name for the UNIQUE of a `unique=True` field (Django
    declares it inline in CREATE TABLE, so PostgreSQL names it)."""
    column = model._meta.get_field(field_name).column
    return f"{model._meta.db_table}_{column}_key"
