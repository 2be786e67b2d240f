"""Console writes that tenants.services does not cover."""

from __future__ import annotations

from tenants.models import Clinic, Plan


def clinic_plan_change(*, clinic: Clinic, plan: Plan) -> Clinic:
    clinic.plan = plan
    clinic.save(update_fields=["plan"])
    return clinic
