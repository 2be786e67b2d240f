"""Who may see and change treatment plans.

- Dentists and admins plan, present, revise and complete.
- Receptionists read plans (codes, teeth, fees: what an estimate shows),
  book their phases and invoice the visits.
- Staff may take the patient's signature in the clinic (a tablet).
- A patient reads their own plans once presented, and accepts or declines
  them; a draft, or another patient's plan, is not found.
- The demo seed writes everything.
"""

from __future__ import annotations

from typing import Any

from chairside.accounts.models import Role
from chairside.accounts.policies import has_role, is_patient
from chairside.core.actors import DEMO_SEED, is_system
from chairside.treatment.models import PlanStatus, TreatmentPlan

CLINICAL = (Role.ADMIN, Role.DENTIST)
STAFF = (Role.ADMIN, Role.DENTIST, Role.RECEPTIONIST)


def _seed(actor: Any) -> bool:
    return is_system(actor, DEMO_SEED)


def can_list_all_plans(actor: Any) -> bool:
    return has_role(actor, *STAFF)


def is_own_plan(actor: Any, plan: TreatmentPlan) -> bool:
    return is_patient(actor) and plan.patient.user_id == actor.pk


def can_view_plan(actor: Any, plan: TreatmentPlan) -> bool:
    if has_role(actor, *STAFF) or _seed(actor):
        return True
    return is_own_plan(actor, plan) and plan.status != PlanStatus.DRAFT


def can_plan(actor: Any) -> bool:
    """Create, edit, present and revise plans."""
    return has_role(actor, *CLINICAL) or _seed(actor)


def can_decide(actor: Any, plan: TreatmentPlan) -> bool:
    """Accept or decline: the patient, or staff with the patient in the
    clinic (on their behalf)."""
    return has_role(actor, *STAFF) or _seed(actor) or is_own_plan(actor, plan)


def can_book_phase(actor: Any) -> bool:
    return has_role(actor, *STAFF) or _seed(actor)


def can_complete(actor: Any) -> bool:
    """Mark a visit's procedures done: the clinicians."""
    return has_role(actor, *CLINICAL) or _seed(actor)
