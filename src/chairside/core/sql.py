"""Identifier quoting for SQL that must be built as one text.

Prefer composing with psycopg.sql (`sql.SQL(...).format(sql.Identifier(...))`)
and passing the result to `cursor.execute`. Only a script kept as a string
(the schema clone's DDL, cached and run later) needs the quoted text: it is
quoted here, by psycopg, and nowhere else.
"""

from __future__ import annotations

from django.db import connection
from psycopg import sql


def quoted_name(name: str) -> str:
    """`name` as a PostgreSQL identifier ("a""b" for a"b)."""
    connection.ensure_connection()
    return sql.Identifier(name).as_string(connection.connection)
