"""Clinic schemas on a Citus cluster: each clinic lives whole on one worker.

With `CLINIC_CITUS` on (env `CHAIRSIDE_CITUS=1`) the database Django talks to
is a Citus coordinator, and provisioning makes every new clinic schema a
*distributed schema* (Citus schema-based sharding): its tables become
single-shard tables colocated on one worker, and the coordinator routes each
query there by the tables the search path resolves to. Moving a clinic is
`citus_schema_move` (`schema_move` below). docs/scale-out.md is the operator's
side of this.

What was measured on the local cluster (scripts/citus_cluster) and why the
code does what it does:

- A schema gets its tables first (spare, template copy or migrations, as on
  one server, with `citus.enable_schema_based_sharding` off), then
  `citus_schema_distribute` moves them, rows included, to a worker inside the
  same transaction. Nothing is created with schema-based sharding on.
- Tables with triggers (the audit trail's) are refused by
  `citus_schema_distribute` unless `citus.enable_unsafe_triggers` is on (set
  in every node's postgresql.conf, because later migrations add triggers
  too, and per transaction here). The trigger then runs on the worker, on
  the shard, inside a connection whose search path is the worker's default:
  the audit functions' unqualified table names resolve to nothing there. So
  every function of a clinic schema gets its search path pinned to
  `<schema>, public` (`ALTER FUNCTION ... SET search_path`, propagated by
  Citus), again after a spare's rename and after migrations.
- Public tables that clinic tables reference by foreign key must be
  reference tables (a copy on every node), and so must the public tables
  those reference; public functions the clinic schemas call
  (`public._pgtrigger_should_ignore`) must exist on the workers:
  `cluster_prepare()` does both, idempotently, after the shared migrations.
- Sequences and identity columns: a row inserted on a worker (the audit
  trigger's event rows) takes its id from the worker's range of the 64-bit
  sequence (node group << 48), so ids stay unique across nodes and moves;
  32-bit ones cannot be advanced on a worker, which is why every id is
  64-bit (DEFAULT_AUTO_FIELD) and the test checks it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql


def citus_enabled() -> bool:
    """CLINIC_CITUS (CHAIRSIDE_CITUS=1): the database is a Citus coordinator
    and new clinics are distributed schemas. Off: plain PostgreSQL."""
    return bool(getattr(settings, "CLINIC_CITUS", False))


def _execute(statement: sql.Composable | str, params: list | None = None) -> list:
    text = statement if isinstance(statement, str) else statement.as_string()
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        return cursor.fetchall() if cursor.description else []


def _public_tables_to_replicate() -> list[str]:
    """Public tables referenced by a foreign key from any other schema, and
    (transitively) the public tables those reference."""
    rows = _execute(
        "SELECT DISTINCT k.confrelid::regclass::text FROM pg_constraint k"
        " JOIN pg_class t ON t.oid = k.confrelid"
        " WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace"
        " AND k.connamespace <> 'public'::regnamespace"
        " AND k.connamespace::regnamespace::text NOT LIKE 'pg\\_%%'"
    )
    wanted = {row[0] for row in rows}
    frontier = set(wanted)
    while frontier:
        rows = _execute(
            "SELECT DISTINCT k.confrelid::regclass::text FROM pg_constraint k"
            " JOIN pg_class t ON t.oid = k.confrelid"
            " WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace"
            " AND k.conrelid::regclass::text = ANY(%s)",
            [sorted(frontier)],
        )
        frontier = {row[0] for row in rows} - wanted
        wanted |= frontier
    return sorted(wanted)


def cluster_prepare() -> dict[str, list[str]]:
    """Make what the clinic schemas use of the public schema exist on every
    node: referenced tables become reference tables, public functions become
    distributed functions. Run after the shared migrations; changes nothing
    the second time."""
    made_tables = []
    for table in _public_tables_to_replicate():
        (kind,) = _execute(
            "SELECT coalesce((SELECT partmethod FROM pg_dist_partition"
            " WHERE logicalrelid = %s::regclass), '')",
            [table],
        )[0]
        if kind == "n":  # already a reference table
            continue
        _execute("SELECT create_reference_table(%s::regclass)", [table])
        made_tables.append(table)
    made_functions = []
    rows = _execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'"
        " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid"
        "  AND d.deptype = 'e')"
        " AND NOT EXISTS (SELECT 1 FROM pg_dist_object o"
        "  WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid)"
    )
    for (function,) in rows:
        _execute("SELECT create_distributed_function(%s)", [function])
        made_functions.append(function)
    return {"reference_tables": made_tables, "functions": made_functions}


def schema_functions_pin(schema_name: str) -> int:
    """Pin the search path of every function of the schema to the schema
    (then public), so triggers find their tables when they run on a worker."""
    rows = _execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace = %s::regnamespace AND p.prokind IN ('f', 'p')",
        [schema_name],
    )
    path = sql.SQL("{}, public").format(sql.Identifier(schema_name))
    for (function,) in rows:
        # regprocedure's text is already a quoted, schema-qualified signature.
        _execute(
            sql.SQL("ALTER FUNCTION {} SET search_path = {}").format(
                sql.SQL(function), path
            )
        )
    return len(rows)


def schema_distribute(schema_name: str) -> None:
    """Make an existing clinic schema a distributed schema: Citus moves its
    tables, rows included, to a worker of its choosing. Run it inside the
    transaction that made the schema (a rollback undoes both)."""
    schema_functions_pin(schema_name)
    _execute("SET LOCAL citus.enable_unsafe_triggers = on")
    # Distributing copies the rows into the new shards, which fires their
    # triggers: the audit trail would record the copy as activity (and, with
    # its event table not distributed yet, fail). Off during the copy; Citus
    # carries each trigger's state to the shards.
    paused = _triggers_on_tables_with_rows(schema_name)
    for table, trigger, _state in paused:
        _execute(
            sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(
                sql.Identifier(schema_name, table), sql.Identifier(trigger)
            )
        )
    _execute("SELECT citus_schema_distribute(%s::regnamespace)", [schema_name])
    for table, trigger, state in paused:
        _execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(schema_name, table),
                sql.SQL(_ENABLE[state]),
                sql.Identifier(trigger),
            )
        )


_ENABLE = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA"}


def _triggers_on_tables_with_rows(schema_name: str) -> list[tuple[str, str, str]]:
    rows = _execute(
        "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal"
        " AND t.tgenabled <> 'D' ORDER BY c.relname, t.tgname",
        [schema_name],
    )
    with_rows: dict[str, bool] = {}
    for table, _trigger, _state in rows:
        if table not in with_rows:
            (found,) = _execute(
                sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(
                    sql.Identifier(schema_name, table)
                )
            )[0]
            with_rows[table] = found
    return [row for row in rows if with_rows[row[0]]]


def schema_is_distributed(schema_name: str) -> bool:
    rows = _execute(
        "SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace(%s)",
        [schema_name],
    )
    return bool(rows)


def clinic_schema_place(schema_name: str, *, renamed_spare: bool) -> None:
    """Provisioning's one call on Citus: a spare is distributed already and
    only needs its functions re-pinned to its new name; any other new schema
    is distributed now."""
    if renamed_spare and schema_is_distributed(schema_name):
        schema_functions_pin(schema_name)
    else:
        schema_distribute(schema_name)


def schema_placements(schema_name: str) -> list[tuple[str, str, int]]:
    """(table, node host, node port) of every shard of the schema's tables,
    from Citus's catalogs; a table that is not distributed is listed with
    the coordinator's address only if Citus knows it (else not at all)."""
    return [
        (table, host, int(port))
        for table, host, port in _execute(
            "SELECT s.logicalrelid::regclass::text, n.nodename, n.nodeport"
            " FROM pg_dist_shard s"
            " JOIN pg_dist_placement p ON p.shardid = s.shardid"
            " JOIN pg_dist_node n ON n.groupid = p.groupid"
            " JOIN pg_class c ON c.oid = s.logicalrelid"
            " WHERE c.relnamespace = %s::regnamespace ORDER BY 1, 2, 3",
            [schema_name],
        )
    ]


def schema_move(
    schema_name: str, *, host: str, port: int, mode: str = "block_writes"
) -> None:
    """Move a clinic's schema to another node. `block_writes` holds writes to
    the clinic (reads go on) while its tables are copied; the default of
    Citus, `auto`, copies them with logical replication and needs
    `wal_level = logical` on every node."""
    _execute(
        "SELECT citus_schema_move(%s::regnamespace, %s, %s,"
        " shard_transfer_mode => %s::citus.shard_transfer_mode)",
        [schema_name, host, port, mode],
    )


def schemas_functions_pin(schema_names: Iterable[str]) -> None:
    """After migrations: pin the functions of the distributed ones among
    `schema_names` (a migration may have created or replaced a trigger
    function, which drops its pinned search path)."""
    for name in schema_names:
        if schema_is_distributed(name):
            with transaction.atomic():
                schema_functions_pin(name)
