"""Re-encrypt every medical history under the newest FIELD_ENCRYPTION_KEYS key.

Run after putting a new key first in FIELD_ENCRYPTION_KEYS (old keys still
listed after it); once it reports done for every clinic, the old keys can be
removed. Safe to run again; never prints any history.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import get_tenant_model, tenant_context

from chairside.core.actors import COMMAND
from chairside.patients.services import patient_rotate_encryption


class Command(BaseCommand):
    help = "Re-encrypt medical histories with the newest encryption key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--clinic", help="Only this clinic (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        clinics = get_tenant_model().objects.exclude(schema_name="public")
        if options["clinic"]:
            clinics = clinics.filter(slug=options["clinic"])
        for clinic in clinics:
            with tenant_context(clinic):
                count = patient_rotate_encryption(actor=COMMAND)
            self.stdout.write(f"{clinic.slug}: {count} records re-encrypted")
