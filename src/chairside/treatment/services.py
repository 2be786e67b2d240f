"""Treatment plans: planning, presenting, accepting, revising, booking a
phase and completing a visit's procedures.

Every function takes the acting `actor` and checks the treatment policy
itself (policies.py); a plan the actor may not see is not found. The
database has the last word on what is frozen (models.py triggers): a
presented plan's snapshot and items, and a signed acceptance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts.policies import ensure, is_patient
from chairside.billing.services import clinic_currency
from chairside.core.errors import ChairsideError, Conflict, NotFound
from chairside.dental import selectors as dental_selectors
from chairside.dental import services as dental_services
from chairside.dental.models import ChartEntry, EntryKind, EntryStatus
from chairside.dental.teeth import Notation
from chairside.patients.models import Patient
from chairside.scheduling import appointments as scheduling_services
from chairside.scheduling import rules
from chairside.scheduling import selectors as scheduling_selectors
from chairside.scheduling.models import Appointment
from chairside.treatment import policies, selectors, snapshots
from chairside.treatment.errors import TreatmentErrorCode
from chairside.treatment.models import (
    ACCEPTED_STATUSES,
    MAX_PHASE,
    PlanAcceptance,
    PlanItem,
    PlanStatus,
    SignatureKind,
    TreatmentPlan,
)
from chairside.treatment.signatures import signature_png

# Plans whose items are spoken for: an entry sits in one of them at a time.
OPEN_STATUSES = (PlanStatus.DRAFT, PlanStatus.PRESENTED, *ACCEPTED_STATUSES)
SLOT_MINUTES = int(scheduling_selectors.SLOT_STEP.total_seconds() // 60)


def _plan_locked(*, actor: Any, plan_id: int) -> TreatmentPlan:
    """The plan row, locked, if the actor may see it (else not found)."""
    plan = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None or not policies.can_view_plan(actor, plan):
        raise NotFound(
            _("No such treatment plan."), code=TreatmentErrorCode.PLAN_NOT_FOUND
        )
    return plan


def _ensure_draft(plan: TreatmentPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(
            _(
                "This plan has been presented and can no longer be changed; "
                "revise it to make a new version."
            ),
            code=TreatmentErrorCode.PLAN_NOT_DRAFT,
            details={"status": plan.status},
        )


def _check_place(phase: int, alternative: str) -> str:
    if not 1 <= phase <= MAX_PHASE:
        raise ChairsideError(
            _("A phase is a number from 1 to %(max)s.") % {"max": MAX_PHASE},
            code=TreatmentErrorCode.ITEMS_INVALID,
            details={"field": "phase"},
        )
    alternative = (alternative or "").strip().upper()
    if len(alternative) > 1 or (alternative and not "A" <= alternative <= "Z"):
        raise ChairsideError(
            _("An alternative is one letter (A, B...), or none."),
            code=TreatmentErrorCode.ITEMS_INVALID,
            details={"field": "alternative"},
        )
    return alternative


# --- planning ----------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Any, patient_id: int) -> TreatmentPlan:
    ensure(policies.can_plan(actor))
    # Those who plan see every patient of the clinic (and the demo seed).
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound(_("No such patient."), details={"field": "patient_id"})
    if patient.is_archived:
        raise Conflict(_("This patient is archived."), details={"field": "patient_id"})
    return TreatmentPlan.objects.create(
        patient=patient,
        currency=clinic_currency(),
        created_by_id=getattr(actor, "pk", None),
    )


@transaction.atomic
def plan_item_add(
    *,
    actor: Any,
    plan_id: int,
    phase: int = 1,
    alternative: str = "",
    chart_entry_id: int | None = None,
    procedure_code: str | int | None = None,
    tooth: int | str | None = None,
    tooth_to: int | str | None = None,
    notation: str = Notation.FDI,
    surfaces: str = "",
    arch: int | None = None,
    quadrant: int | None = None,
    sextant: int | None = None,
) -> PlanItem:
    """Put a procedure in a draft plan: a planned procedure already on the
    chart (`chart_entry_id`), or a new one charted now from
    `procedure_code` and its place (its fee frozen by dental)."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_plan(actor))
    _ensure_draft(plan)
    alternative = _check_place(phase, alternative)
    if chart_entry_id is not None:
        entry = (
            ChartEntry.objects.select_for_update()
            .filter(pk=chart_entry_id, patient_id=plan.patient_id)
            .first()
        )
        if entry is None:
            raise ChairsideError(
                _("No such chart entry for this patient."),
                code=TreatmentErrorCode.ITEMS_INVALID,
                details={"field": "chart_entry_id"},
            )
        if entry.kind != EntryKind.PROCEDURE or entry.status != EntryStatus.PLANNED:
            raise Conflict(
                _("Only a planned procedure can be part of a plan."),
                code=TreatmentErrorCode.ENTRY_NOT_PLANNED,
                details={"field": "chart_entry_id", "status": entry.status},
            )
        if PlanItem.objects.filter(
            chart_entry=entry, plan__status__in=OPEN_STATUSES
        ).exists():
            raise Conflict(
                _("This procedure is already in a treatment plan."),
                code=TreatmentErrorCode.ENTRY_IN_PLAN,
                details={"field": "chart_entry_id"},
            )
    elif procedure_code is not None:
        entry = dental_services.chart_entry_create(
            actor=actor,
            patient=plan.patient,
            kind=EntryKind.PROCEDURE,
            status=EntryStatus.PLANNED,
            procedure_code=procedure_code,
            tooth=tooth,
            tooth_to=tooth_to,
            notation=notation,
            surfaces=surfaces,
            arch=arch,
            quadrant=quadrant,
            sextant=sextant,
        )
    else:
        raise ChairsideError(
            _("Name a planned chart entry or a procedure code."),
            code=TreatmentErrorCode.ITEMS_INVALID,
            details={"field": "procedure_code"},
        )
    last = PlanItem.objects.filter(plan=plan).aggregate(last=Max("position"))["last"]
    return PlanItem.objects.create(
        plan=plan,
        chart_entry=entry,
        phase=phase,
        alternative=alternative,
        position=(last or 0) + 1,
    )


def _item_of(plan: TreatmentPlan, item_id: int) -> PlanItem:
    item = PlanItem.objects.filter(plan=plan, pk=item_id).first()
    if item is None:
        raise NotFound(
            _("No such item in this plan."), code=TreatmentErrorCode.ITEM_NOT_FOUND
        )
    return item


@transaction.atomic
def plan_items_arrange(
    *, actor: Any, plan_id: int, items: Sequence[dict[str, Any]]
) -> TreatmentPlan:
    """Move a draft's items between phases and alternatives:
    `items` = [{"id", "phase", "alternative"}]."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_plan(actor))
    _ensure_draft(plan)
    for change in items:
        item = _item_of(plan, change["id"])
        item.phase = change.get("phase", item.phase)
        item.alternative = _check_place(
            item.phase, change.get("alternative", item.alternative)
        )
        item.save(update_fields=["phase", "alternative"])
    plan.save(update_fields=["updated_at"])
    return plan


@transaction.atomic
def plan_item_remove(*, actor: Any, plan_id: int, item_id: int) -> None:
    """Take an item out of a draft. The planned procedure stays on the
    chart (invalidate it there if it was a mistake)."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_plan(actor))
    _ensure_draft(plan)
    _item_of(plan, item_id).delete()


# --- presenting and revising -------------------------------------------------


@transaction.atomic
def plan_present(*, actor: Any, plan_id: int) -> TreatmentPlan:
    """Freeze what the patient is shown: the snapshot and its SHA-256."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_plan(actor))
    _ensure_draft(plan)
    items = selectors.plan_items(plan=plan)
    if not items:
        raise ChairsideError(
            _("Add at least one procedure before presenting the plan."),
            code=TreatmentErrorCode.PLAN_EMPTY,
        )
    stale = [i.pk for i in items if i.chart_entry.status != EntryStatus.PLANNED]
    if stale:
        raise Conflict(
            _("Some procedures of this plan are no longer planned on the chart."),
            code=TreatmentErrorCode.ENTRY_NOT_PLANNED,
            details={"items": stale},
        )
    snapshot = snapshots.snapshot_build(
        plan=plan, items=items, notation=dental_selectors.clinic_notation()
    )
    plan.snapshot = snapshot
    plan.snapshot_hash = snapshots.snapshot_hash(snapshot)
    plan.status = PlanStatus.PRESENTED
    plan.presented_at = timezone.now()
    plan.presented_by_id = getattr(actor, "pk", None)
    plan.save()
    return plan


@transaction.atomic
def plan_revise(*, actor: Any, plan_id: int) -> TreatmentPlan:
    """A new draft version with the same items (those still planned); the
    presented or declined version stays readable, superseded. A plan the
    patient has accepted (some of) is in progress: plan anew instead."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_plan(actor))
    if plan.status not in (PlanStatus.PRESENTED, PlanStatus.DECLINED):
        raise Conflict(
            _("Only a presented or declined plan can be revised."),
            code=TreatmentErrorCode.PLAN_NOT_REVISABLE,
            details={"status": plan.status},
        )
    plan.status = PlanStatus.SUPERSEDED
    plan.save(update_fields=["status", "updated_at"])
    revision = TreatmentPlan.objects.create(
        patient=plan.patient,
        version=plan.version + 1,
        revises=plan,
        currency=clinic_currency(),
        created_by_id=getattr(actor, "pk", None),
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            plan=revision,
            chart_entry_id=item.chart_entry_id,
            phase=item.phase,
            alternative=item.alternative,
            position=item.position,
        )
        for item in PlanItem.objects.filter(
            plan=plan, chart_entry__status=EntryStatus.PLANNED
        )
    )
    return revision


# --- the patient's decision --------------------------------------------------


def _ensure_presented(plan: TreatmentPlan, hash_seen: str) -> None:
    if plan.status != PlanStatus.PRESENTED:
        raise Conflict(
            _("This plan is %(status)s; there is nothing to decide on.")
            % {"status": plan.get_status_display().lower()},
            code=TreatmentErrorCode.PLAN_NOT_PRESENTED,
            details={"status": plan.status},
        )
    if hash_seen != plan.snapshot_hash:
        raise Conflict(
            _("This plan has changed since it was shown; please review it again."),
            code=TreatmentErrorCode.SNAPSHOT_MISMATCH,
            details={"field": "snapshot_hash"},
        )


def _accepted_items(
    snapshot: dict[str, Any], item_ids: Sequence[int] | None, alternative: str
) -> tuple[list[int], str, bool]:
    """(accepted ids, chosen alternative, whether that is the whole plan)."""
    items = snapshot["items"]
    labels = {i["alternative"] for i in items if i["alternative"]}
    alternative = (alternative or "").strip().upper()
    if alternative and alternative not in labels:
        raise ChairsideError(
            _("This plan has no alternative “%(label)s”.") % {"label": alternative},
            code=TreatmentErrorCode.ITEMS_INVALID,
            details={"field": "alternative"},
        )
    if item_ids is None:
        if labels and not alternative:
            raise ChairsideError(
                _("This plan has alternatives: choose one."),
                code=TreatmentErrorCode.ITEMS_INVALID,
                details={"field": "alternative"},
            )
        chosen = [i["id"] for i in items if i["alternative"] in ("", alternative)]
    else:
        known = {i["id"]: i for i in items}
        chosen = list(dict.fromkeys(item_ids))
        unknown = [pk for pk in chosen if pk not in known]
        if unknown or not chosen:
            raise ChairsideError(
                _("Choose at least one procedure of this plan."),
                code=TreatmentErrorCode.ITEMS_INVALID,
                details={"field": "item_ids", "unknown": unknown},
            )
        picked = {known[pk]["alternative"] for pk in chosen} - {""}
        if len(picked) > 1 or (alternative and picked - {alternative}):
            raise ChairsideError(
                _("Choose one alternative: plan %(labels)s are exclusive.")
                % {"labels": " / ".join(sorted(labels))},
                code=TreatmentErrorCode.ALTERNATIVES_MIXED,
                details={"field": "item_ids"},
            )
        alternative = alternative or (picked.pop() if picked else "")
    whole = {i["id"] for i in items if i["alternative"] in ("", alternative)}
    complete = set(chosen) == whole and (alternative or not labels)
    return chosen, alternative, bool(complete)


@transaction.atomic
def plan_accept(
    *,
    actor: Any,
    plan_id: int,
    snapshot_hash: str,
    item_ids: Sequence[int] | None = None,
    alternative: str = "",
    signature: str = "",
    signer_name: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> PlanAcceptance:
    """The patient accepts the plan they saw (`snapshot_hash`), whole
    (`item_ids` None: the core and the chosen `alternative`) or in part,
    signed by a drawn signature (a PNG data URL, checked by signatures.py)
    or a typed name.
    Staff may take it in the clinic, on the patient's behalf."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_decide(actor, plan))
    _ensure_presented(plan, snapshot_hash)
    signer_name = (signer_name or "").strip()[:200]
    png = signature_png(signature) if signature else None
    if png:
        kind = SignatureKind.DRAWN
    elif signer_name:
        kind = SignatureKind.TYPED
    else:
        raise ChairsideError(
            _("Sign in the box, or type your full name."),
            code=TreatmentErrorCode.SIGNATURE_REQUIRED,
            details={"field": "signature"},
        )
    chosen, alternative, whole = _accepted_items(plan.snapshot, item_ids, alternative)
    acceptance = PlanAcceptance.objects.create(
        plan=plan,
        accepted_item_ids=chosen,
        alternative=alternative,
        snapshot_hash=plan.snapshot_hash,
        signed_by_user_id=getattr(actor, "pk", None),
        signed_by_role=getattr(actor, "role", "") or str(actor),
        in_clinic=not is_patient(actor),
        signer_name=signer_name,
        signature_kind=kind,
        signature_png=png,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
    )
    plan.status = PlanStatus.ACCEPTED if whole else PlanStatus.PARTLY_ACCEPTED
    plan.decided_at = acceptance.accepted_at
    plan.save(update_fields=["status", "decided_at", "updated_at"])
    return acceptance


@transaction.atomic
def plan_decline(*, actor: Any, plan_id: int, snapshot_hash: str) -> TreatmentPlan:
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_decide(actor, plan))
    _ensure_presented(plan, snapshot_hash)
    plan.status = PlanStatus.DECLINED
    plan.decided_at = timezone.now()
    plan.save(update_fields=["status", "decided_at", "updated_at"])
    return plan


# --- booking and completing ----------------------------------------------------


def accepted_item_ids(plan: TreatmentPlan) -> list[int]:
    acceptance = PlanAcceptance.objects.filter(plan=plan).first()
    return list(acceptance.accepted_item_ids) if acceptance else []


def _phase_entries(plan: TreatmentPlan, phase: int) -> list[ChartEntry]:
    """The phase's accepted procedures still to be booked."""
    return list(
        ChartEntry.objects.select_for_update(of=("self",))
        .filter(
            plan_items__plan=plan,
            plan_items__phase=phase,
            plan_items__pk__in=accepted_item_ids(plan),
            status=EntryStatus.PLANNED,
        )
        .filter(
            Q(appointment__isnull=True)
            | Q(appointment__status__in=("cancelled", "no_show"))
        )
        .select_related("procedure_code")
        .order_by("pk")
    )


def phase_duration(entries: Sequence[ChartEntry]) -> int:
    """The procedures' default durations, rounded up to the calendar's
    slot step."""
    minutes = sum(e.procedure_code.default_duration_minutes for e in entries)
    return max(SLOT_MINUTES, math.ceil(minutes / SLOT_MINUTES) * SLOT_MINUTES)


@transaction.atomic
def plan_phase_book(
    *,
    actor: Any,
    plan_id: int,
    phase: int,
    dentist_id: int,
    start: datetime,
    chair_id: int | None = None,
) -> Appointment:
    """Book the visit for one phase of an accepted plan: its length is the
    procedures' durations, and the procedures point at it."""
    plan = _plan_locked(actor=actor, plan_id=plan_id)
    ensure(policies.can_book_phase(actor))
    if plan.status not in ACCEPTED_STATUSES:
        raise Conflict(
            _("Only an accepted plan can be booked."),
            code=TreatmentErrorCode.PLAN_NOT_ACCEPTED,
            details={"status": plan.status},
        )
    entries = _phase_entries(plan, phase)
    if not entries:
        raise Conflict(
            _("Phase %(phase)s has no accepted procedure left to book.")
            % {"phase": phase},
            code=TreatmentErrorCode.PHASE_EMPTY,
            details={"field": "phase"},
        )
    duration = phase_duration(entries)
    if duration > rules.MAX_DURATION_MINUTES:
        raise ChairsideError(
            _("This phase is longer than one visit can be; split it."),
            code=TreatmentErrorCode.ITEMS_INVALID,
            details={"field": "phase", "minutes": duration},
        )
    appointment = scheduling_services.appointment_book(
        actor=actor,
        patient_id=plan.patient_id,
        dentist_id=dentist_id,
        start=start,
        duration_minutes=duration,
        chair_id=chair_id,
        reason=_("Treatment plan, phase %(phase)s: %(codes)s")
        % {
            "phase": phase,
            "codes": ", ".join(e.procedure_code.code for e in entries),
        },
    )
    ChartEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
        appointment=appointment, updated_at=timezone.now()
    )
    return appointment


def _plans_refresh(entry_ids: Sequence[int]) -> None:
    """Plans whose every accepted procedure is completed are completed."""
    plan_ids = set(
        PlanItem.objects.filter(
            chart_entry_id__in=entry_ids, plan__status__in=ACCEPTED_STATUSES
        ).values_list("plan_id", flat=True)
    )
    for plan in TreatmentPlan.objects.select_for_update().filter(pk__in=plan_ids):
        accepted = accepted_item_ids(plan)
        left = (
            PlanItem.objects.filter(plan=plan, pk__in=accepted)
            .exclude(chart_entry__status=EntryStatus.COMPLETED)
            .exists()
        )
        if not left:
            plan.status = PlanStatus.COMPLETED
            plan.completed_at = timezone.now()
            plan.save(update_fields=["status", "completed_at", "updated_at"])


@transaction.atomic
def visit_procedures_complete(
    *, actor: Any, appointment_id: int, entry_ids: Sequence[int] | None = None
) -> list[ChartEntry]:
    """The dentist marks the visit's planned procedures done (all, or the
    ones named); each plan whose accepted procedures are all done is
    completed."""
    ensure(policies.can_complete(actor))
    appointment = scheduling_selectors.appointment_get(
        user=actor, appointment_id=appointment_id, for_update=True
    )
    entries = ChartEntry.objects.filter(
        appointment=appointment,
        kind=EntryKind.PROCEDURE,
        status=EntryStatus.PLANNED,
    ).order_by("pk")
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    entries = list(entries)
    if not entries or (entry_ids is not None and len(entries) != len(set(entry_ids))):
        raise Conflict(
            _("This visit has no such planned procedure to complete."),
            code=TreatmentErrorCode.NOTHING_TO_COMPLETE,
            details={"field": "entry_ids"},
        )
    done = [
        dental_services.chart_entry_complete(actor=actor, entry=entry)
        for entry in entries
    ]
    _plans_refresh([e.pk for e in done])
    return done
