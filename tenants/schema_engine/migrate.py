"""`migrate_schemas` that plans once and replays SQL on every clinic.

The stock executor runs Django's whole `migrate` once per schema: it loads
every app's migration files, rebuilds the project state from all of their
history (dj-stripe's included), renders every model, applies the plan and
runs the post_migrate handlers. That cost 2-8 s per clinic here, for a
one-line change.

This executor does that work once per *group* of schemas whose
django_migrations hold the same set of migrations (normally one group: every
clinic, the template and the spare pool):

1. One catalog query finds each schema's applied set (an md5 of it).
2. For each group, the loader and the plan are built once, from its first
   schema (the representative).
3. If every migration in the plan is atomic and every operation reduces to
   SQL (no RunPython, no RenameModel, whose content-type fix-up is Python),
   the plan is applied for real on the representative through a schema
   editor that records each statement it runs (with its parameters inlined),
   inside one transaction. Anything else that writes during that (a raw
   cursor in some operation) makes the group fall back, so the recording is
   known to be the whole change.
4. Every other schema of the group gets the recorded SQL in one round trip
   plus its django_migrations rows, in one transaction per schema. When the
   plan creates models or changes model options, the post_migrate handlers
   (content types, permissions) run in each schema too, as `migrate` would;
   for other operations they would add nothing and are skipped.
5. A group whose plan is not SQL-only, and any schema whose replay fails
   (it differs from its group's representative), goes through the stock
   per-schema `migrate`.

Failures: each schema migrates in its own transaction, so a failed schema
is left exactly as it was. The run continues with the other schemas (a
failing representative hands over to the next schema of its group) and ends
with a CommandError naming every failed schema and its error, so the command
exits non-zero; running it again retries just those. Continuing rather than
stopping keeps as many clinics as possible on the new code's schema.

The template and the spares are schemas like the clinics: every run that
migrates clinics migrates them too, in the same call (no post_migrate hook).

Single-schema runs (`-s`), the shared schema and every option that changes
what `migrate` does (app label / target, --fake, --plan, --prune, --check,
--run-syncdb) use the stock executor for the schemas named, then bring the
template and the spares to the latest migrations (unless the run was --plan
or --check). `--executor standard`, `EXECUTOR=standard` or
CLINIC_MIGRATE_EXECUTOR = "standard" turn this module off: stock
django-tenants, one `migrate` per clinic, template and spares left as they
are (provisioning never copies a stale one; `manage.py clinic_template`
and `clinic_spares` bring them current).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.migrations import operations as ops
from django.db.migrations.executor import MigrationExecutor as DjangoExecutor
from django_tenants.migration_executors import get_executor as stock_get_executor
from django_tenants.migration_executors.base import (
    MigrationExecutor as TenantExecutor,
)
from django_tenants.migration_executors.base import run_migrations as run_stock
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.utils import get_public_schema_name
from psycopg.sql import SQL, Identifier

from tenants.schema_engine import citus, schema_clone, spare_pool

# Options under which `migrate` does something other than "apply what is
# missing": the stock executor handles those.
_STOCK_OPTIONS = (
    "app_label",
    "migration_name",
    "fake",
    "fake_initial",
    "plan",
    "prune",
    "run_syncdb",
    "check_unapplied",
)

# Operations after which the post_migrate handlers (content types,
# permissions) have nothing to add; any other operation makes each schema
# run them, as the stock `migrate` does.
_NO_NEW_MODEL_ROWS: tuple[type, ...] = (
    ops.RunSQL,
    ops.AddField,
    ops.RemoveField,
    ops.AlterField,
    ops.RenameField,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AddConstraint,
    ops.RemoveConstraint,
    ops.AlterUniqueTogether,
    ops.AlterIndexTogether,
    ops.AlterModelTable,
    ops.AlterModelTableComment,
    ops.AlterModelManagers,
    ops.AlterOrderWithRespectTo,
    ops.DeleteModel,
)
try:  # the audit trail's trigger operations
    from pgtrigger.migrations import AddTrigger, CompiledTrigger, RemoveTrigger

    _NO_NEW_MODEL_ROWS += (AddTrigger, RemoveTrigger, CompiledTrigger)
except ImportError:  # pragma: no cover
    pass

_READ_ONLY = re.compile(r"^\s*(SELECT|SHOW|SET)\b", re.I)
# Transaction and search-path statements around the editor's own.
_PLUMBING = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK TO|SET search_path)\b", re.I)


def get_executor(codename: str | None = None) -> type[TenantExecutor]:
    """GET_EXECUTOR_FUNCTION for django-tenants: this executor unless
    another is named (--executor standard, EXECUTOR=..., or the
    CLINIC_MIGRATE_EXECUTOR setting)."""
    codename = (
        codename
        or os.environ.get("EXECUTOR")
        or getattr(settings, "CLINIC_MIGRATE_EXECUTOR", PlanOnceExecutor.codename)
    )
    if codename == PlanOnceExecutor.codename:
        return PlanOnceExecutor
    return stock_get_executor(codename)


@dataclass
class Outcome:
    replayed: list[str] = field(default_factory=list)  # the fast path
    stock: list[str] = field(default_factory=list)  # per-schema `migrate`
    current: list[str] = field(default_factory=list)  # nothing to apply
    gone: list[str] = field(default_factory=list)  # spare claimed meanwhile
    failed: dict[str, str] = field(default_factory=dict)
    plan_seconds: float = 0.0
    apply_seconds: float = 0.0

    @property
    def done(self) -> set[str]:
        return {*self.replayed, *self.stock, *self.current, *self.gone, *self.failed}


class _NotReplayable(Exception):
    pass


class _Guard:
    """execute_wrapper that records what the schema editor sends to the
    database, exactly as sent, and notes anything it cannot vouch for: a
    write from outside the editor (a raw cursor in some operation), or an
    editor call that ran more than one statement (something worked around
    an error behind its back)."""

    def __init__(self) -> None:
        self.window: list[str] | None = None  # open during editor.execute()
        self.problem: str | None = None

    def __call__(self, execute, sql, params, many, context):
        text = str(sql)
        if _PLUMBING.match(text):
            pass
        elif self.window is not None:
            if params:
                text = connection.ops.compose_sql(text, params)
            self.window.append(text)
        elif not _READ_ONLY.match(text):
            self.problem = self.problem or f"unrecorded statement: {text[:200]}"
        return execute(sql, params, many, context)


def _recording_editor(guard: _Guard):
    base = connection.SchemaEditorClass

    class RecordingEditor(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.recorded: list[str] = []

        def execute(self, sql, params=()):
            if guard.window is not None:  # nested: part of the outer call
                return super().execute(sql, params)
            guard.window = []
            try:
                super().execute(sql, params)
            finally:
                window, guard.window = guard.window, None
            if len(window) != 1:
                guard.problem = guard.problem or (
                    f"{len(window)} statements for one: {str(sql)[:200]}"
                )
            self.recorded += window
            return None

    return RecordingEditor


def applied_set_keys(schemas: list[str]) -> dict[str, str | None]:
    """schema -> a digest of its applied migrations (None: no
    django_migrations table, or no such schema). One statement for all."""
    keys: dict[str, str | None] = dict.fromkeys(schemas)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE c.relname = 'django_migrations'"
            " AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        if not present:
            return keys
        query = SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s, md5(coalesce(string_agg(app || '.' || name, ','"
                " ORDER BY app, name), '')) FROM {}.django_migrations"
            ).format(Identifier(s))
            for s in present
        )
        cursor.execute(query.as_string(), present)
        keys.update(dict(cursor.fetchall()))
    return keys


def _plan_problem(plan) -> str | None:
    for migration, backwards in plan:
        if backwards:
            return f"{migration} is unapplied"
        if not migration.atomic:
            return f"{migration} is not atomic"
        for operation in migration.operations:
            if not operation.reduces_to_sql:
                return f"{migration}: {operation.describe()} is not SQL"
            if isinstance(operation, ops.RenameModel):
                return f"{migration}: renaming a model renames its content type"
    return None


def _needs_post_migrate(plan) -> bool:
    return any(
        not isinstance(operation, _NO_NEW_MODEL_ROWS)
        for migration, _ in plan
        for operation in migration.operations
    )


def _record_sql(plan) -> str:
    """django_migrations rows as the stock executor leaves them: a squashed
    migration records the ones it replaces, and itself (check_replacements)."""
    rows = []
    for migration, _ in plan:
        rows += list(migration.replaces)
        rows.append((migration.app_label, migration.name))

    placeholders = ", ".join(["(%s, %s, now())"] * len(rows))
    sql = f"INSERT INTO django_migrations (app, name, applied) VALUES {placeholders}"  # noqa: S608 - placeholders only
    return connection.ops.compose_sql(sql, [v for row in rows for v in row]) + ";"


def _lock_spare(cursor, schema: str) -> bool:
    """Hold a spare against claims for this transaction; False if it has
    been renamed or dropped since it was listed."""
    if not spare_pool.is_spare(schema):
        return True
    cursor.execute(spare_pool.lock_sql(wait=True), [schema])
    cursor.execute("SELECT to_regnamespace(%s) IS NOT NULL", [schema])
    return cursor.fetchone()[0]


def _stock_migrate_default(schema: str) -> None:
    call_command(
        "migrate_schemas",
        schema_name=schema,
        executor=StandardExecutor.codename,
        interactive=False,
        verbosity=0,
    )


class _Group:
    def __init__(self, schemas: list[str]) -> None:
        self.schemas = schemas
        self.plan = None
        self.state = None
        self.statements: list[str] | None = None
        self.post_migrate = False
        self.post_apps = None
        self.problem: str | None = None


def migrate_schemas_once(  # noqa: PLR0912, PLR0915
    schemas: Iterable[str],
    *,
    stock_migrate: Callable[[str], None] = _stock_migrate_default,
    log: Callable[[str], None] = lambda message: None,
) -> Outcome:
    """Bring every schema up to the migrations on disk; see the module doc."""
    outcome = Outcome()
    schemas = list(dict.fromkeys(schemas))
    started = time.perf_counter()
    connection.set_schema_to_public()
    keys = applied_set_keys(schemas)
    groups: dict[str, _Group] = {}
    for schema in schemas:
        key = keys[schema]
        if key is None:
            groups.setdefault(f"stock:{schema}", _Group([])).schemas.append(schema)
        else:
            groups.setdefault(key, _Group([])).schemas.append(schema)
    outcome.plan_seconds = time.perf_counter() - started

    def stock(schema: str, reason: str) -> None:
        try:
            stock_migrate(schema)
        except Exception as exc:  # reported at the end; the others go on
            outcome.failed[schema] = f"{type(exc).__name__}: {exc}".strip()
            log(f"{schema}: FAILED ({reason}): {outcome.failed[schema]}")
        else:
            outcome.stock.append(schema)
            log(f"{schema}: migrated by the stock executor ({reason})")
        finally:
            connection.set_schema_to_public()

    for key, group in groups.items():
        if key.startswith("stock:"):
            stock(group.schemas[0], "no django_migrations yet")
            continue
        queue = list(group.schemas)
        while queue:
            schema = queue.pop(0)
            t0 = time.perf_counter()
            result = _apply_first(group, schema, log)
            outcome.plan_seconds += time.perf_counter() - t0
            if result == "current":
                outcome.current += [schema, *queue]
                queue = []
            elif result == "gone":
                outcome.gone.append(schema)
            elif result == "stock":
                for each in [schema, *queue]:
                    stock(each, group.problem or "")
                queue = []
            elif isinstance(result, Exception):
                # The representative failed: the next schema takes over.
                outcome.failed[schema] = f"{type(result).__name__}: {result}"
                log(f"{schema}: FAILED: {outcome.failed[schema]}")
            else:
                outcome.replayed.append(schema)
                t1 = time.perf_counter()
                for each in queue:
                    _replay(group, each, outcome, stock, log)
                outcome.apply_seconds += time.perf_counter() - t1
                queue = []
    connection.set_schema_to_public()
    return outcome


def _apply_first(group: _Group, schema: str, log) -> object:
    """Plan for the group from `schema` and apply it there for real,
    recording the SQL. Returns "current", "gone", "stock", the exception
    that failed it, or "replayed"."""
    connection.set_schema(schema)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if not _lock_spare(cursor, schema):
                return "gone"
            if group.plan is None:
                executor = DjangoExecutor(connection)
                conflicts = executor.loader.detect_conflicts()
                if conflicts:
                    raise CommandError(f"Conflicting migrations: {conflicts}")
                group.plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
                if not group.plan:
                    return "current"
                group.problem = _plan_problem(group.plan)
                if group.problem:
                    return "stock"
                group.post_migrate = _needs_post_migrate(group.plan)
                group.state = executor._create_project_state(
                    with_applied_migrations=True
                )
                names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in group.plan)
                log(
                    f"{len(group.schemas)} schema(s) to take {names}"
                    f"{' (with post_migrate)' if group.post_migrate else ''}"
                )
            state = group.state.clone()
            guard = _Guard()
            statements: list[str] = []
            editor_class = _recording_editor(guard)
            with connection.execute_wrapper(guard):
                for migration, _ in group.plan:
                    with editor_class(connection, atomic=migration.atomic) as editor:
                        state = migration.apply(state, editor)
                    statements += editor.recorded
                    if guard.problem:
                        raise _NotReplayable(guard.problem)
            cursor.execute(_record_sql(group.plan))
            if group.post_migrate:
                group.post_apps = state.apps
                emit_post_migrate_signal(
                    0, False, connection.alias, apps=state.apps, plan=group.plan
                )
            group.statements = statements
    except _NotReplayable as exc:
        group.problem = str(exc)
        return "stock"
    except CommandError:
        raise
    except Exception as exc:
        return exc
    finally:
        connection.set_schema_to_public()
    log(f"{schema}: applied ({len(group.statements or [])} statements recorded)")
    return "replayed"


def _replay(group: _Group, schema: str, outcome: Outcome, stock, log) -> None:
    body = "\n".join(f"{sql}\n;" for sql in group.statements or [])
    body += "\n" + _record_sql(group.plan)
    connection.set_schema(schema)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if not _lock_spare(cursor, schema):
                outcome.gone.append(schema)
                return
            cursor.execute(body)
            if group.post_migrate:
                emit_post_migrate_signal(
                    0, False, connection.alias, apps=group.post_apps, plan=group.plan
                )
    except Exception as exc:
        # Not the same as its group's first schema: the stock `migrate`
        # looks at this one for itself.
        connection.set_schema_to_public()
        stock(schema, f"replay failed: {type(exc).__name__}: {exc}"[:300])
        return
    finally:
        connection.set_schema_to_public()
    outcome.replayed.append(schema)
    log(f"{schema}: applied")


def template_and_spares() -> list[str]:
    """The schemas clinics are made from, template first: every run that
    migrates clinics migrates these too."""
    extra = []
    if schema_clone.template_exists():
        extra.append(schema_clone.template_schema_name())
    return extra + spare_pool.spare_names()


class PlanOnceExecutor(TenantExecutor):
    codename = "planonce"

    def _stock_migrate(self, schema: str) -> None:
        run_stock(self.args, self.options, StandardExecutor.codename, schema)

    def _stock_migrate_to_latest(self, schema: str) -> None:
        """A plain `migrate` of `schema`, whatever this run's own options."""
        options = {**self.options, "schema_name": schema}
        options.update(dict.fromkeys(_STOCK_OPTIONS, None))
        run_stock((), options, StandardExecutor.codename, schema)

    def _log(self, message: str) -> None:
        if int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(f"[{self.codename}] {message}\n")
            sys.stdout.flush()

    def run_migrations(self, tenants=None) -> None:
        tenants = list(tenants or [])
        public = get_public_schema_name()
        stock_only = self.args or any(self.options.get(o) for o in _STOCK_OPTIONS)
        single = bool(self.options.get("schema_name"))
        if public in tenants or stock_only or single:
            StandardExecutor(self.args, self.options).run_migrations(list(tenants))
            self._bring_template_and_spares_along(tenants)
            if citus.citus_enabled():
                citus.schemas_functions_pin(tenants)
            return
        log = self._log

        # The template first (new clinics are copied from it), then the
        # spares, then the clinics.
        started = time.perf_counter()
        outcome = migrate_schemas_once(
            [*template_and_spares(), *tenants],
            stock_migrate=self._stock_migrate,
            log=log,
        )
        # Clinics provisioned meanwhile came from a spare or the template
        # as it was when listed: take them too.
        for _round in range(3):
            from tenants.models import Clinic

            late = [
                s
                for s in Clinic.objects.exclude(schema_name=public).values_list(
                    "schema_name", flat=True
                )
                if s not in outcome.done
            ]
            if not late:
                break
            more = migrate_schemas_once(
                late, stock_migrate=self._stock_migrate, log=log
            )
            for name in ("replayed", "stock", "current", "gone"):
                getattr(outcome, name).extend(getattr(more, name))
            outcome.failed.update(more.failed)
        schema_clone.forget_cached_scripts()
        if citus.citus_enabled():
            citus.schemas_functions_pin(outcome.done)
        log(
            f"{len(outcome.replayed)} replayed, {len(outcome.stock)} by the stock"
            f" executor, {len(outcome.current)} already current,"
            f" {len(outcome.failed)} failed in {time.perf_counter() - started:.2f} s"
            f" (planning {outcome.plan_seconds:.2f} s, replay"
            f" {outcome.apply_seconds:.2f} s)"
        )
        _raise_for(outcome)

    def _bring_template_and_spares_along(self, migrated: list[str]) -> None:
        """After clinics migrated by the stock executor (`-s`, an app label
        or target, --fake), the template and the spares take the latest
        migrations, so a copy stays what migrating a new clinic would give.
        Not after --plan or --check (nothing was migrated), nor when only
        the shared schema or the template and spares themselves were named."""
        if self.options.get("plan") or self.options.get("check_unapplied"):
            return
        engine = template_and_spares()
        public = get_public_schema_name()
        if not any(s != public and s not in engine for s in migrated):
            return
        behind = [s for s in engine if not schema_clone.schema_is_current(s)]
        if not behind:
            return
        outcome = migrate_schemas_once(
            behind, stock_migrate=self._stock_migrate_to_latest, log=self._log
        )
        schema_clone.forget_cached_scripts()
        _raise_for(outcome)

    def run_multi_type_migrations(self, tenants) -> None:
        StandardExecutor(self.args, self.options).run_multi_type_migrations(tenants)


def _raise_for(outcome: Outcome) -> None:
    if outcome.failed:
        listing = "\n".join(f"  {s}: {e}" for s, e in outcome.failed.items())
        raise CommandError(
            f"{len(outcome.failed)} schema(s) failed to migrate and are left"
            f" as they were:\n{listing}"
        )
