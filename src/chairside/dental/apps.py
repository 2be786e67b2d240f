from __future__ import annotations

from django.apps import AppConfig


class DentalConfig(AppConfig):
    name = "chairside.dental"
    label = "dental"
    verbose_name = "Dental chart"
