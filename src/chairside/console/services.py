"""Console writes that tenants.services does not cover."""

from __future__ import annotations

from tenants.models import Clinic, Plan
from tenants.resolution import clinic_forget


def clinic_plan_change(*, clinic: Clinic, plan: Plan) -> Clinic:
    clinic.plan = plan
    clinic.save(update_fields=["plan"])
    clinic_forget(clinic)  # hostname -> clinic is cached per process
    return clinic
