from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chairside.audit"
    label = "audit"

    def ready(self) -> None:
        # django-pgtrigger teaches Django's makemigrations/migrate about
        # triggers by patching their autodetector; django-tenants ships its
        # own `migrate` command, which must use the same one (Django 5.2's
        # commands.E001 check), or `migrate` would think triggers are unmigrated.
        from django.core.management.commands import makemigrations
        from django_tenants.management.commands import migrate_schemas

        migrate_schemas.MigrateSchemasCommand.autodetector = (
            makemigrations.Command.autodetector
        )
