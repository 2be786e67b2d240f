from __future__ import annotations

from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "chairside.treatment"
    label = "treatment"
    verbose_name = "Treatment plans"
