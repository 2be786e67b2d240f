"""Demo treatment plans: for the first demo patients whose charts have
planned procedures (chairside.dental.demo), a plan grouping them in phases,
presented; the first one accepted in the clinic (a typed signature).
Idempotent: a patient who has a plan gets no other. Called by
chairside.demo.seed inside the clinic's schema, after the dental demo."""

from __future__ import annotations

from django.db import transaction

from chairside.core.actors import DEMO_SEED, SystemActor, ensure_system
from chairside.dental.models import ChartEntry, EntryKind, EntryStatus
from chairside.treatment import services
from chairside.treatment.models import PlanItem, TreatmentPlan


@transaction.atomic
def seed_treatment_demo(*, actor: SystemActor = DEMO_SEED, plans: int = 3) -> None:
    ensure_system(actor, DEMO_SEED)
    planned = (
        ChartEntry.objects.filter(kind=EntryKind.PROCEDURE, status=EntryStatus.PLANNED)
        .exclude(pk__in=PlanItem.objects.values("chart_entry_id"))
        .order_by("patient_id", "pk")
    )
    by_patient: dict[int, list[int]] = {}
    for patient_id, entry_id in planned.values_list("patient_id", "pk"):
        by_patient.setdefault(patient_id, []).append(entry_id)
    made = 0
    for patient_id, entry_ids in by_patient.items():
        if made >= plans:
            break
        if TreatmentPlan.objects.filter(patient_id=patient_id).exists():
            continue
        plan = services.plan_create(actor=actor, patient_id=patient_id)
        for index, entry_id in enumerate(entry_ids):
            services.plan_item_add(
                actor=actor,
                plan_id=plan.pk,
                chart_entry_id=entry_id,
                phase=1 if index == 0 else 2,
            )
        plan = services.plan_present(actor=actor, plan_id=plan.pk)
        if made == 0:
            services.plan_accept(
                actor=actor,
                plan_id=plan.pk,
                snapshot_hash=plan.snapshot_hash,
                signer_name="Demo patient",
            )
        made += 1
