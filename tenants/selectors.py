from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Clinic, Plan


def clinic_get_by_slug(*, slug: str) -> Clinic | None:
    return Clinic.objects.exclude(schema_name="public").filter(slug=slug).first()


def clinic_list() -> QuerySet[Clinic]:
    return Clinic.objects.exclude(schema_name="public").select_related("plan")


def plan_list_active() -> QuerySet[Plan]:
    return Plan.objects.filter(is_active=True)
