"""A few clinic schemas built ahead of time, so a signup is a rename.

Copying the template (tenants.schema_engine.schema_clone) builds ~550 indexes, and
PostgreSQL fsyncs each new index at commit: 1-6 s per clinic depending on the
disk, against the 1 s provisioning budget. A spare is that same copy made
earlier, off the request path, under a name no clinic can have (`spare_<hex>`;
clinic schemas are `clinic_<slug>`). Provisioning renames one
(`ALTER SCHEMA ... RENAME TO clinic_<slug>`, a catalog update) inside its own
transaction, so a failed signup rolls the rename back and the spare returns to
the pool.

A rename is a faithful copy of the schema's contents: tables, sequences,
constraints, indexes, triggers and functions belong to the schema by OID, and
nothing in them names it: defaults (`nextval(oid)`), views and trigger
definitions are stored as OIDs, and the audit trigger functions' bodies use
unqualified table names (resolved through the search path) plus
`"public"._pgtrigger_should_ignore`. tenants/tests/test_spare_pool.py checks
all of this on every run.

Spares must never be handed out stale. A spare counts as current only when
its django_migrations holds the latest migration of every tenant app on disk
(the same test as for the template). `migrate_schemas` migrates spares along
with the template (tenants.schema_engine.migrate), and `spare_pool_fill` drops any spare
that is still behind.

Concurrency: each spare has a transaction-scoped advisory lock. A claim only
takes spares whose lock it gets without waiting, and checks the spare still
exists once it holds the lock, so two signups never get the same one; the
filler and the migrator take the same lock before dropping or migrating one.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from tenants.schema_engine.citus import citus_enabled, schema_distribute
from tenants.schema_engine.schema_clone import (
    clone_template_into,
    cloning_enabled,
    schema_is_current,
    template_is_current,
)

logger = logging.getLogger(__name__)

SPARE_PREFIX = "spare_"
DEFAULT_POOL_SIZE = 2
# First key of the two-key advisory lock: this module's namespace.
_LOCK_NAMESPACE = 0x5E4E


def pool_size() -> int:
    """CLINIC_SPARE_POOL_SIZE = 0 turns the pool off: no spare is built or
    handed out (signups copy the template instead)."""
    if not cloning_enabled():
        return 0
    return int(getattr(settings, "CLINIC_SPARE_POOL_SIZE", DEFAULT_POOL_SIZE))


def lock_sql(*, wait: bool) -> str:
    func = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    return f"SELECT {func}({_LOCK_NAMESPACE}, hashtext(%s))"


def spare_names() -> list[str]:
    """Every spare schema, oldest first is not guaranteed; name order is."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            [SPARE_PREFIX.replace("_", r"\_") + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def is_spare(schema_name: str) -> bool:
    return schema_name.startswith(SPARE_PREFIX)


def spare_claim(schema_name: str) -> str | None:
    """Rename a current spare to `schema_name`; return the spare's old name,
    or None when no current spare is free. Call it inside the transaction
    that creates the clinic: rolling back gives the spare back."""
    if not connection.in_atomic_block:
        raise RuntimeError("claim a spare inside the provisioning transaction")
    if pool_size() == 0:
        return None
    for spare in spare_names():
        with connection.cursor() as cursor:
            cursor.execute(lock_sql(wait=False), [spare])
            if not cursor.fetchone()[0]:
                continue  # another signup, the filler or migrate has it
        # Renamed (or dropped) by a transaction that committed since the
        # listing: schema_is_current sees it gone.
        if not schema_is_current(spare):
            continue
        with connection.cursor() as cursor:
            rename = sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                sql.Identifier(spare), sql.Identifier(schema_name)
            )
            cursor.execute(rename.as_string())
        return spare
    return None


def _spare_drop(name: str) -> bool:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(lock_sql(wait=False), [name])
        if not cursor.fetchone()[0]:
            return False
        drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
        cursor.execute(drop.format(sql.Identifier(name)).as_string())
    return True


def spare_pool_fill(size: int | None = None) -> dict[str, int]:
    """Drop stale spares, then copy the template until `size` current spares
    exist. Each spare is built in its own transaction (a crash leaves no
    half-built one). Does nothing but drop while the template is not current."""
    size = pool_size() if size is None else size
    connection.set_schema_to_public()
    dropped = 0
    current = []
    for name in spare_names():
        if schema_is_current(name):
            current.append(name)
        elif _spare_drop(name):
            dropped += 1
    created = 0
    if template_is_current():
        for _ in range(size - len(current)):
            name = SPARE_PREFIX + uuid.uuid4().hex[:16]
            with transaction.atomic():
                clone_template_into(name)
                if citus_enabled():
                    # Built on a worker ahead of time too: a claim is then
                    # a rename there (tenants/schema_engine/citus.py).
                    schema_distribute(name)
            created += 1
    if created or dropped:
        logger.info(
            "clinic spare pool filled",
            extra={"spares_built": created, "spares_dropped": dropped},
        )
    return {"current": len(current) + created, "created": created, "dropped": dropped}


def spare_pool_empty() -> int:
    """Drop every spare (that no transaction holds)."""
    connection.set_schema_to_public()
    return sum(_spare_drop(name) for name in spare_names())
