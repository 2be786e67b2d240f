"""Create (if missing) and migrate the clinic template schema.

New clinics are copies of this schema (tenants.schema_engine.schema_clone), so it must
hold exactly what migrating a new clinic would: `migrate_schemas` keeps it
current once it exists (tenants/schema_engine/migrate.py).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from psycopg import sql

from tenants.schema_engine.schema_clone import (
    forget_cached_scripts,
    template_is_current,
    template_schema_name,
)


class Command(BaseCommand):
    help = "Create and migrate the template schema new clinics are copied from."

    def handle(self, *args, **options) -> None:
        template = template_schema_name()
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            create = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}")
            cursor.execute(create.format(sql.Identifier(template)).as_string())
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=template,
            interactive=False,
            verbosity=options["verbosity"],
        )
        connection.set_schema_to_public()
        forget_cached_scripts()
        if options["verbosity"]:
            state = "current" if template_is_current() else "NOT current"
            self.stdout.write(f"Clinic template {template}: {state}")
