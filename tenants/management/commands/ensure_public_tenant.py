from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tenants.models import Clinic, Domain


class Command(BaseCommand):
    help = "Create the public tenant (base domain) if it does not exist. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        public, _created = Clinic.objects.get_or_create(
            schema_name="public",
            defaults={"name": "Chairside", "slug": "public"},
        )
        Domain.objects.update_or_create(
            domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True}
        )
        self.stdout.write(f"Public site on {settings.BASE_DOMAIN}")
