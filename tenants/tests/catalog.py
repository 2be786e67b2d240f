"""A schema's full structure and starting rows, with its own name taken out,
so two schemas (a clinic and the template it came from) compare equal."""

from __future__ import annotations

from django.db import connection

_QUERIES = {
    "tables": "SELECT relname || ':' || relkind::text FROM pg_class"
    " WHERE relnamespace = %(s)s::regnamespace",
    "columns": "SELECT c.relname || '.' || a.attname || ':' ||"
    " format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull::text || ':'"
    " || a.attidentity::text || ':' || a.attgenerated::text || ':' ||"
    " coalesce(pg_get_expr(d.adbin, d.adrelid), '')"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    " WHERE c.relnamespace = %(s)s::regnamespace AND c.relkind IN ('r', 'v')"
    " AND a.attnum > 0 AND NOT a.attisdropped",
    "constraints": "SELECT c.relname || '.' || k.conname || ':' ||"
    " pg_get_constraintdef(k.oid) || ':' || k.condeferrable::text ||"
    " k.condeferred::text FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
    " WHERE k.connamespace = %(s)s::regnamespace",
    "indexes": "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " JOIN pg_class c ON c.oid = i.indexrelid"
    " WHERE c.relnamespace = %(s)s::regnamespace",
    "triggers": "SELECT pg_get_triggerdef(t.oid) || ':' || t.tgenabled::text"
    " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE c.relnamespace = %(s)s::regnamespace AND NOT t.tgisinternal",
    "functions": "SELECT p.proname || ':' || md5(p.prosrc) || ':' ||"
    " coalesce(array_to_string(p.proconfig, ','), '')"
    " FROM pg_proc p WHERE p.pronamespace = %(s)s::regnamespace",
    "sequences": "SELECT c.relname || ':' || s.seqstart || ':' || s.seqincrement"
    " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid"
    " WHERE c.relnamespace = %(s)s::regnamespace",
}

# Rows migrations put in every new clinic.
_ROWS = {
    "migrations": "SELECT app || '.' || name FROM {s}.django_migrations",
    "content_types": "SELECT app_label || '.' || model FROM {s}.django_content_type",
    "permissions": "SELECT c.app_label || '.' || c.model || '.' || p.codename"
    " FROM {s}.auth_permission p JOIN {s}.django_content_type c"
    " ON c.id = p.content_type_id",
}


def schema_fingerprint(schema: str, *, rows: bool = True) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for name, sql in _QUERIES.items():
            cursor.execute(sql, {"s": schema})
            out[name] = {
                row[0]
                .replace(f'"{schema}".', "SCHEMA.")
                .replace(f"{schema}.", "SCHEMA.")
                for row in cursor.fetchall()
            }
        if rows:
            for name, sql in _ROWS.items():
                cursor.execute(sql.format(s=f'"{schema}"'))
                out[name] = {row[0] for row in cursor.fetchall()}
    return out


def sequence_positions(schema: str) -> dict[str, tuple]:
    """Where every sequence stands (the next id each table hands out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace"
            " AND relkind = 'S'",
            [schema],
        )
        names = [row[0] for row in cursor.fetchall()]
        out = {}
        for name in names:
            cursor.execute(f'SELECT last_value, is_called FROM "{schema}"."{name}"')  # noqa: S608
            out[name] = cursor.fetchone()
    return out


def mentions(schema: str, text: str) -> list[str]:
    """Objects in `schema` whose stored definition names `text`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'function ' || proname FROM pg_proc WHERE pronamespace ="
            " %(s)s::regnamespace AND (prosrc LIKE %(t)s"
            " OR array_to_string(proconfig, ',') LIKE %(t)s)"
            " UNION ALL SELECT 'default ' || c.relname FROM pg_attrdef d"
            " JOIN pg_class c ON c.oid = d.adrelid WHERE c.relnamespace ="
            " %(s)s::regnamespace AND pg_get_expr(d.adbin, d.adrelid) LIKE %(t)s"
            " UNION ALL SELECT 'view ' || relname FROM pg_class WHERE relnamespace ="
            " %(s)s::regnamespace AND relkind IN ('v', 'm')"
            " AND pg_get_viewdef(oid) LIKE %(t)s"
            " UNION ALL SELECT 'comment ' || objoid::text FROM pg_description"
            " WHERE description LIKE %(t)s",
            {"s": schema, "t": f"%{text}%"},
        )
        return [row[0] for row in cursor.fetchall()]


def provision_gamma(slug: str = "gamma"):
    """Provision a test clinic the way signup does."""
    from chairside.core.actors import SIGNUP
    from tenants import services

    return services.clinic_provision(
        actor=SIGNUP,
        name="Gamma Dental",
        slug=slug,
        owner_email=f"owner@{slug}.test",
        owner_password="correct-horse-battery-staple",
    )
