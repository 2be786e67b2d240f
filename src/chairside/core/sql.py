"""Identifier quoting, once, by psycopg.

Compose SQL with psycopg.sql (`sql.SQL(...).format(sql.Identifier(...))`) and
hand Django's cursor its text (`.as_string()`, psycopg 3.3+): pghistory's
cursor wrapper reads every statement as a string. A script kept as one text
(the schema clone's DDL, cached and run later) quotes its names with
`quoted_name`, here, and nowhere else.
"""

from __future__ import annotations

from psycopg import sql


def quoted_name(name: str) -> str:
    """`name` as a PostgreSQL identifier ("a""b" for a"b)."""
    return sql.Identifier(name).as_string()
