"""django-tenants' PostgreSQL backend, minus the redundant `SET search_path`.

The stock backend forgets the connection's search path whenever a tenant is
selected (every request) and, unless TENANT_LIMIT_SET_CALLS is on, re-sends
`SET search_path` before every query. A connection persists across requests
(CONN_MAX_AGE), so with one clinic per worker most of those are no-ops that
still cost a round trip each. This backend remembers the path it last set on
the live connection and sends a new one only when it differs.

What it remembers is dropped whenever PostgreSQL may have dropped it: on
close, on rollback and on rollback to a savepoint (a SET made inside an
aborted transaction is undone), exactly where the stock backend resets its
own bookkeeping.

The `SET` itself goes straight to the driver's cursor, past Django's cursor
wrappers: otherwise pghistory's wrapper prefixes every schema switch with
its audit-context `set_config` calls (JSON built in Python, run by the
server), which a server spreading requests over many clinics pays on almost
every request. `search_path_changes` counts the switches for tests.
"""

from __future__ import annotations

from django_tenants.postgresql_backend.base import (
    DatabaseWrapper as TenantDatabaseWrapper,
)


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        self._applied_search_path: list[str] | None = None
        self._path_key: tuple | None = None
        self._path_value: list[str] | None = None
        self.search_path_changes = 0
        super().__init__(*args, **kwargs)

    def _get_cursor_search_paths(self) -> list[str]:
        # Computed (and validated) once per schema, not once per query.
        key = (self.schema_name, self.include_public_schema)
        if key != self._path_key:
            self._path_value = super()._get_cursor_search_paths()
            self._path_key = key
        return self._path_value

    def _handle_search_path(self, cursor=None) -> None:
        if self._setting_search_path or not self.schema_name:
            return super()._handle_search_path(cursor)
        if (
            self._applied_search_path is not None
            and self._get_cursor_search_paths() == self._applied_search_path
        ):
            self.search_path_set_schemas = self._applied_search_path
            return None
        # Django's CursorWrapper -> the psycopg cursor under it.
        super()._handle_search_path(getattr(cursor, "cursor", cursor))
        self._applied_search_path = self.search_path_set_schemas
        self.search_path_changes += 1
        return None

    def close(self) -> None:
        self._applied_search_path = None
        super().close()

    def rollback(self) -> None:
        self._applied_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid) -> None:
        try:
            super().savepoint_rollback(sid)
        finally:
            self._applied_search_path = None

    def connect(self) -> None:
        # A new server session starts with the server's default path.
        self._applied_search_path = None
        super().connect()
