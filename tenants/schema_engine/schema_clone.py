"""Give a new clinic its tables by copying a migrated template schema.

Replaying every tenant migration for each signup takes minutes once many apps
(dj-stripe alone has dozens of migrations) are installed; copying the
template's structure is one round trip of plain DDL. The DDL is read from the
PostgreSQL catalogs (pg_get_constraintdef, pg_get_indexdef, pg_get_triggerdef,
pg_get_functiondef: core PostgreSQL, no extension) with the search path
narrowed to pg_catalog, so every name of the template comes out
schema-qualified and can be pointed at the new schema. The script is built
once per process and rebuilt whenever the template's migration state changes.

django-tenants ships a clone_schema() SQL function for the same purpose; it
re-inspects the catalogs object by object on every call and took over 3 s per
clinic here, against the 1 s provisioning budget.

The caller runs clone_template_into() inside its own transaction: DDL is
transactional in PostgreSQL, so a failure leaves no half-made schema.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

# The clone script is one cached text, so names are quoted into it as text.
from chairside.core.sql import quoted_name as _q

DEFAULT_TEMPLATE_SCHEMA = "clinic_template"
_VALID_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def template_schema_name() -> str:
    return getattr(settings, "CLINIC_TEMPLATE_SCHEMA", DEFAULT_TEMPLATE_SCHEMA)


def cloning_enabled() -> bool:
    """CLINIC_SCHEMA_CLONING = False: new clinics get their tables from
    their migrations (stock django-tenants), never from the template or a
    spare (a spare is a copy of the template)."""
    return bool(getattr(settings, "CLINIC_SCHEMA_CLONING", True))


@dataclass(frozen=True)
class _Script:
    version: tuple[int, int, int]
    ddl: str  # with the placeholder schema name
    data_tables: tuple[tuple[str, str], ...]  # table, its stored columns
    identity_columns: tuple[tuple[str, str], ...]
    enabled_triggers: tuple[tuple[str, str], ...]  # table, trigger
    sequences: tuple[str, ...]


_PLACEHOLDER = "__chairside_new_schema__"
_cache: dict[str, _Script] = {}
_lock = threading.Lock()


def _check(name: str) -> None:
    if not _VALID_SCHEMA.match(name):
        raise ValueError(f"refusing to clone into or from schema {name!r}")


def _version(cursor, template: str) -> tuple[int, int, int]:
    # Changes whenever a migration is applied to the template (new
    # django_migrations row, new or dropped relations).
    cursor.execute(
        "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace),"
        " (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        "   WHERE c.relnamespace = %s::regnamespace AND a.attnum > 0"
        "   AND NOT a.attisdropped)",
        [template, template],
    )
    relations, columns = cursor.fetchone()
    cursor.execute(f"SELECT count(*) FROM {_q(template)}.django_migrations")  # noqa: S608
    (migrations,) = cursor.fetchone()
    return (relations, columns, migrations)


def _build_script(cursor, template: str) -> _Script:  # noqa: PLR0912, PLR0915
    # The template is never on the search path here, so everything the
    # pg_get_* functions print of it comes out schema-qualified.
    if connection.schema_name == template:
        raise ValueError("build the clone script from outside the template schema")
    parts: list[str] = [f"CREATE SCHEMA {_PLACEHOLDER};"]

    cursor.execute(
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p"
        " WHERE pronamespace = %s::regnamespace AND prokind IN ('f', 'p')"
        " ORDER BY p.oid",
        [template],
    )
    parts += [row[0] + ";" for row in cursor.fetchall()]

    # Sequences that are not identity columns' own (those come with the column).
    cursor.execute(
        "SELECT c.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement,"
        " s.seqmin, s.seqmax, s.seqcache, s.seqcycle"
        " FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid"
        " WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'S' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i')",
        [template],
    )
    sequences = []
    for name, typ, start, inc, smin, smax, cache, cycle in cursor.fetchall():
        sequences.append(name)
        parts.append(
            f"CREATE SEQUENCE {_PLACEHOLDER}.{_q(name)} AS {typ} START {start}"
            f" INCREMENT {inc} MINVALUE {smin} MAXVALUE {smax} CACHE {cache}"
            f"{' CYCLE' if cycle else ''};"
        )

    cursor.execute(
        "SELECT c.oid, c.relname FROM pg_class c"
        " WHERE c.relnamespace = %s::regnamespace"
        " AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.oid",
        [template],
    )
    relations = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),"
        " a.attnotnull, a.attidentity, a.attgenerated,"
        " pg_get_expr(d.adbin, d.adrelid), co.collname"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " JOIN pg_type ty ON ty.oid = a.atttypid"
        " LEFT JOIN pg_collation co ON co.oid = a.attcollation"
        "  AND a.attcollation <> ty.typcollation"
        " WHERE c.relnamespace = %s::regnamespace AND c.relkind IN ('r', 'p')"
        " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.oid, a.attnum",
        [template],
    )
    columns: dict[str, list[str]] = {}
    stored: dict[str, list[str]] = {}  # columns a copy of the rows may set
    identity: list[tuple[str, str]] = []
    for table, col, typ, notnull, ident, generated, default, coll in cursor.fetchall():
        spec = f"{_q(col)} {typ}"
        if coll:
            spec += f" COLLATE {_q(coll)}"
        if ident:
            spec += " GENERATED {} AS IDENTITY".format(
                "ALWAYS" if ident == "a" else "BY DEFAULT"
            )
            identity.append((table, col))
        elif generated == "s":
            spec += f" GENERATED ALWAYS AS ({default}) STORED"
        elif default is not None:
            spec += f" DEFAULT {default}"
        if notnull:
            spec += " NOT NULL"
        columns.setdefault(table, []).append(spec)
        if generated != "s":
            stored.setdefault(table, []).append(_q(col))

    views = []
    for oid, name in relations:
        if name in columns:
            parts.append(
                f"CREATE TABLE {_PLACEHOLDER}.{_q(name)} ("
                + ", ".join(columns[name])
                + ");"
            )
        else:
            views.append(oid)

    # Sequence ownership (serial-style columns), after the tables exist.
    cursor.execute(
        "SELECT s.relname, t.relname, a.attname FROM pg_depend d"
        " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
        " JOIN pg_class t ON t.oid = d.refobjid"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
        " WHERE s.relnamespace = %s::regnamespace AND d.deptype = 'a'",
        [template],
    )
    parts += [
        f"ALTER SEQUENCE {_PLACEHOLDER}.{_q(seq)} OWNED BY "
        f"{_PLACEHOLDER}.{_q(table)}.{_q(col)};"
        for seq, table, col in cursor.fetchall()
    ]

    # Constraints keep their names (later migrations drop them by name);
    # foreign keys last, once every referenced key exists.
    cursor.execute(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = %s::regnamespace"
        " AND k.contype IN ('p', 'u', 'x', 'c', 'f')"
        " ORDER BY (k.contype = 'f'), (k.contype = 'c'), k.oid",
        [template],
    )
    parts += [
        f"ALTER TABLE {_PLACEHOLDER}.{_q(table)} ADD CONSTRAINT {_q(name)} {defn};"
        for table, name, defn in cursor.fetchall()
    ]

    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relnamespace = %s::regnamespace"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid ="
        "  i.indexrelid AND k.contype IN ('p', 'u', 'x'))"
        " ORDER BY i.indexrelid",
        [template],
    )
    parts += [row[0] + ";" for row in cursor.fetchall()]

    for oid in views:
        cursor.execute(
            "SELECT c.relname, c.relkind, pg_get_viewdef(c.oid) FROM pg_class c"
            " WHERE c.oid = %s",
            [oid],
        )
        name, kind, body = cursor.fetchone()
        materialized = "MATERIALIZED " if kind == "m" else ""
        parts.append(f"CREATE {materialized}VIEW {_PLACEHOLDER}.{_q(name)} AS {body}")

    cursor.execute(
        "SELECT pg_get_triggerdef(t.oid), c.relname, t.tgname, t.tgenabled"
        " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal"
        " ORDER BY t.oid",
        [template],
    )
    enabled_triggers = []
    for defn, table, name, enabled in cursor.fetchall():
        parts.append(defn + ";")
        if enabled != "D":
            enabled_triggers.append((table, name))
        else:
            parts.append(
                f"ALTER TABLE {_PLACEHOLDER}.{_q(table)} DISABLE TRIGGER {_q(name)};"
            )

    # Rows a fresh schema must start with: migration records, content types,
    # permissions.
    data_tables = []
    for _oid, name in relations:
        if name not in columns:
            continue
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {_q(template)}.{_q(name)})"  # noqa: S608
        )
        if cursor.fetchone()[0]:
            data_tables.append((name, ", ".join(stored[name])))

    pattern = re.compile(r'(?<![\w"])(?:"' + re.escape(template) + r'"|'
                         + re.escape(template) + r")\.")  # fmt: skip
    ddl = pattern.sub(_PLACEHOLDER + ".", "\n".join(parts))
    return _Script(
        version=_version(cursor, template),
        ddl=ddl,
        data_tables=tuple(data_tables),
        identity_columns=tuple(identity),
        enabled_triggers=tuple(enabled_triggers),
        sequences=tuple(sequences),
    )


def _script_for(template: str) -> _Script:
    with connection.cursor() as cursor:
        version = _version(cursor, template)
        script = _cache.get(template)
        if script is not None and script.version == version:
            return script
    with _lock:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            script = _build_script(cursor, template)
        _cache[template] = script
        return script


def clone_template_into(schema_name: str, *, template: str | None = None) -> None:
    """Create `schema_name` with the template's tables, constraints, indexes,
    triggers and starting rows. Run it inside a transaction."""
    template = template or template_schema_name()
    _check(schema_name)
    _check(template)
    script = _script_for(template)
    new, old = _q(schema_name), _q(template)
    statements = [script.ddl.replace(_PLACEHOLDER, new)]
    # Copying the starting rows is not activity: the tables' triggers (the
    # audit trail's) stay off while they go in.
    with_rows = {table for table, _cols in script.data_tables}
    triggers = [(t, name) for t, name in script.enabled_triggers if t in with_rows]
    statements += [
        f"ALTER TABLE {new}.{_q(t)} DISABLE TRIGGER {_q(name)};" for t, name in triggers
    ]
    for table, cols in script.data_tables:
        statements.append(
            f"INSERT INTO {new}.{_q(table)} ({cols}) OVERRIDING SYSTEM VALUE"  # noqa: S608
            f" SELECT {cols} FROM {old}.{_q(table)};"
        )
    # Foreign-key checks of the copied rows are deferred triggers: run them
    # now, since a table with pending trigger events cannot be altered (the
    # audit triggers going back on) or dropped (a stale spare, later in the
    # same transaction).
    statements.append("SET CONSTRAINTS ALL IMMEDIATE;")
    statements += [
        f"ALTER TABLE {new}.{_q(t)} ENABLE TRIGGER {_q(name)};" for t, name in triggers
    ]
    statements.append("SET CONSTRAINTS ALL DEFERRED;")
    for table, col in script.identity_columns:
        if table in with_rows:
            seq = f"pg_get_serial_sequence('{new}.{_q(table)}', '{col}')"
            statements.append(
                f"SELECT setval({seq}, max({_q(col)})) FROM {new}.{_q(table)}"  # noqa: S608
                f" HAVING max({_q(col)}) IS NOT NULL;"
            )
    for seq in script.sequences:
        statements.append(
            f"SELECT setval('{new}.{_q(seq)}', last_value, is_called)"  # noqa: S608
            f" FROM {old}.{_q(seq)};"
        )
    with connection.cursor() as cursor:
        cursor.execute("\n".join(statements))


def template_exists() -> bool:
    return schema_exists(template_schema_name())


_tenant_leaves: frozenset[tuple[str, str]] | None = None


def _tenant_migration_leaves() -> frozenset[tuple[str, str]]:
    """The latest migration of every tenant app, from the files on disk."""
    global _tenant_leaves  # noqa: PLW0603 - computed once per process
    if _tenant_leaves is None:
        from django.apps import apps
        from django.db.migrations.loader import MigrationLoader

        tenant_apps = set(settings.TENANT_APPS)
        labels = {c.label for c in apps.get_app_configs() if c.name in tenant_apps}
        loader = MigrationLoader(None, ignore_no_migrations=True)
        _tenant_leaves = frozenset(
            node for node in loader.graph.leaf_nodes() if node[0] in labels
        )
    return _tenant_leaves


def schema_is_current(schema_name: str) -> bool:
    """True when the schema exists and holds every tenant app's latest
    migration on disk: exactly what migrating a new clinic would give."""
    if not schema_exists(schema_name):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT app, name FROM {_q(schema_name)}.django_migrations"  # noqa: S608
        )
        applied = set(cursor.fetchall())
    return _tenant_migration_leaves() <= applied


def template_is_current() -> bool:
    """True when a clone of the template is what migrating would give."""
    return schema_is_current(template_schema_name())


def forget_cached_scripts() -> None:
    _cache.clear()
