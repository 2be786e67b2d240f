from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "chairside.patients"
    label = "patients"

    def ready(self) -> None:
        # Registers the FIELD_ENCRYPTION_KEYS deployment check.
        from chairside.core import checks  # noqa: F401
