"""Reading treatment plans, already narrowed to what the user may see.

A plan the user may not see is not found (404), never refused (403), so a
patient cannot learn that another patient's plan exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from chairside.accounts.models import Role
from chairside.core.errors import NotFound
from chairside.dental.models import EntryStatus
from chairside.dental.selectors import clinic_notation
from chairside.dental.teeth import Notation
from chairside.patients import selectors as patient_selectors
from chairside.treatment import policies
from chairside.treatment.errors import TreatmentErrorCode
from chairside.treatment.models import (
    PlanAcceptance,
    PlanItem,
    PlanStatus,
    TreatmentPlan,
)
from chairside.treatment.snapshots import snapshot_build


def plan_list_for_patient(*, user: Any, patient_id: int) -> QuerySet[TreatmentPlan]:
    """The patient's plans, newest first; a patient sees only their own,
    and only presented ones (404 for another patient's id)."""
    patient = patient_selectors.patient_get(user=user, patient_id=patient_id)
    qs = TreatmentPlan.objects.filter(patient=patient).select_related("patient")
    if not policies.can_list_all_plans(user):
        qs = qs.exclude(status=PlanStatus.DRAFT)
    return qs.order_by("-created_at", "-id")


def plan_get(*, user: Any, plan_id: int) -> TreatmentPlan:
    plan = (
        TreatmentPlan.objects.select_related("patient", "patient__user")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not policies.can_view_plan(user, plan):
        raise NotFound(
            _("No such treatment plan."), code=TreatmentErrorCode.PLAN_NOT_FOUND
        )
    return plan


def plan_items(*, plan: TreatmentPlan) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(plan=plan)
        .select_related("chart_entry", "chart_entry__procedure_code")
        .order_by("phase", "alternative", "position", "id")
    )


def plan_view(*, plan: TreatmentPlan) -> dict[str, Any]:
    """What the plan shows: the frozen snapshot once presented, the live
    items (same shape) while a draft."""
    if plan.snapshot is not None:
        return plan.snapshot
    return snapshot_build(
        plan=plan, items=plan_items(plan=plan), notation=clinic_notation()
    )


def plan_phases(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The view's items grouped by phase, with each phase's totals."""
    totals = {t["phase"]: t for t in view["totals"]["phases"]}
    phases: dict[int, list[dict[str, Any]]] = {}
    for item in view["items"]:
        phases.setdefault(item["phase"], []).append(item)
    return [
        {"phase": n, "items": items, "totals": totals.get(n)}
        for n, items in sorted(phases.items())
    ]


def plan_acceptance(*, plan: TreatmentPlan) -> PlanAcceptance | None:
    return PlanAcceptance.objects.filter(plan=plan).defer("signature_png").first()


class _Missing:
    """Not given (None is a valid acceptance: the plan has none)."""


MISSING = _Missing()


def plan_detail(
    *,
    plan: TreatmentPlan,
    items: list[PlanItem] | None = None,
    acceptance: PlanAcceptance | _Missing | None = MISSING,
    notation: Notation | None = None,
) -> dict[str, Any]:
    """The plan as the API and the pages show it: the view (snapshot or
    live items), each item's state on the chart now, the acceptance.

    `items` (with their chart entries and codes), `acceptance` and
    `notation` may be given already loaded, as plan_details_for_list does
    to keep a list's query count flat."""
    if items is None:
        items = plan_items(plan=plan)
    if plan.snapshot is not None:
        view = plan.snapshot
    else:
        view = snapshot_build(
            plan=plan, items=items, notation=notation or clinic_notation()
        )
    states = {
        item.pk: {
            "status": item.chart_entry.status,
            "appointment_id": item.chart_entry.appointment_id,
        }
        for item in items
    }
    if plan.snapshot is None:
        acceptance = None
    elif isinstance(acceptance, _Missing):
        acceptance = plan_acceptance(plan=plan)
    accepted = set(acceptance.accepted_item_ids) if acceptance else None
    rows = [
        {
            **item,
            "entry_status": states.get(item["id"], {}).get("status", ""),
            "entry_status_display": _status_label(
                states.get(item["id"], {}).get("status", "")
            ),
            "appointment_id": states.get(item["id"], {}).get("appointment_id"),
            "accepted": None if accepted is None else item["id"] in accepted,
        }
        for item in view["items"]
    ]
    return {
        "id": plan.pk,
        "patient_id": plan.patient_id,
        "version": plan.version,
        "revises_id": plan.revises_id,
        "status": plan.status,
        "status_display": plan.get_status_display(),
        "currency": plan.currency,
        "snapshot_hash": plan.snapshot_hash,
        "presented_at": plan.presented_at,
        "decided_at": plan.decided_at,
        "completed_at": plan.completed_at,
        "created_at": plan.created_at,
        "items": rows,
        "totals": view["totals"],
        "alternatives": sorted({i["alternative"] for i in rows} - {""}),
        "acceptance": acceptance,
        "signed_by_display": _role_label(acceptance.signed_by_role)
        if acceptance
        else "",
    }


def plan_details_for_list(*, plans: QuerySet[TreatmentPlan]) -> list[dict[str, Any]]:
    """plan_detail for each plan of a list, in a fixed number of queries
    whatever the number of plans (items and acceptances prefetched, the
    clinic's notation read once)."""
    loaded = list(
        plans.prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related(
                    "chart_entry", "chart_entry__procedure_code"
                ).order_by("phase", "alternative", "position", "id"),
                to_attr="loaded_items",
            )
        )
    )
    acceptances = {
        a.plan_id: a
        for a in PlanAcceptance.objects.filter(plan__in=loaded).defer("signature_png")
    }
    notation = clinic_notation()
    return [
        plan_detail(
            plan=plan,
            items=plan.loaded_items,
            acceptance=acceptances.get(plan.pk),
            notation=notation,
        )
        for plan in loaded
    ]


def _status_label(value: str) -> str:
    """A chart entry's status as the reader's language names it."""
    return EntryStatus(value).label if value in EntryStatus.values else value


def _role_label(value: str) -> str:
    return Role(value).label if value in Role.values else value
