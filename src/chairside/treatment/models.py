"""Treatment plans: the planned procedures a patient is offered, in phases,
the snapshot they are shown and the acceptance they sign (clinic schema).

The contract:
- A plan item *is* a planned procedure on the chart (`dental.ChartEntry`,
  kind=procedure, status=planned, its fee frozen when it was planned);
  `PlanItem` only places it in the plan: a phase (1 first, 2 next...) and an
  optional `alternative` label. Items with no label are the core of their
  phase; items labelled "A", "B"... are alternatives to each other (the
  patient takes at most one label across the plan: plan A or plan B).
- Presenting freezes `snapshot` (what the patient sees: codes, teeth, fees,
  totals) and its SHA-256 (`snapshot_hash`, of the canonical JSON,
  snapshots.py). From then on the database refuses any change of the
  snapshot and any change of the plan's items (triggers below); a change is
  a new version (`revises`), the old one stays readable as superseded.
- `PlanAcceptance` is the signed decision: which items, who, when, from
  which address, the hash of the snapshot they saw and the signature. It is
  append-only (a trigger); the patient's erasure alone lifts that, inside
  its transaction, to blank the signature (treatment/erasure.py).
- Write through `chairside.treatment.services`, read through `selectors`.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chairside.audit.tracking import audited
from chairside.core.models import TimeStampedModel

MAX_PHASE = 20
# A drawn signature, as PNG bytes (the canvas of a phone or a tablet).
MAX_SIGNATURE_BYTES = 200_000


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRESENTED = "presented", _("Presented")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    # Revised into a newer version: readable, no longer to be decided on.
    SUPERSEDED = "superseded", _("Superseded")


# Plans the patient has taken (some of): their phases are booked and done.
ACCEPTED_STATUSES = (PlanStatus.ACCEPTED, PlanStatus.PARTLY_ACCEPTED)


@audited(exclude=["snapshot"])
class TreatmentPlan(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveSmallIntegerField(default=1)
    # The plan this version replaces (revise): that one is superseded.
    revises = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revised_by",
    )
    status = models.CharField(
        max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    currency = models.CharField(max_length=3)
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_hash = models.CharField(max_length=64, blank=True, default="")
    presented_at = models.DateTimeField(null=True, blank=True)
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="treatment_plan_status_valid",
            ),
            # A draft has no snapshot; every other status has one, hashed.
            models.CheckConstraint(
                condition=(
                    Q(status=PlanStatus.DRAFT, snapshot__isnull=True, snapshot_hash="")
                    | (
                        ~Q(status=PlanStatus.DRAFT)
                        & Q(
                            snapshot__isnull=False,
                            snapshot_hash__regex=r"^[0-9a-f]{64}$",
                        )
                    )
                ),
                name="treatment_plan_snapshot_when_presented",
            ),
        ]
        triggers = [
            # What the patient was shown is a record: never rewritten.
            pgtrigger.Protect(
                name="snapshot_frozen",
                operation=pgtrigger.Update,
                condition=~pgtrigger.Q(old__snapshot_hash="")
                & (
                    pgtrigger.Q(
                        old__snapshot_hash__df=pgtrigger.F("new__snapshot_hash")
                    )
                    | pgtrigger.Q(old__snapshot__df=pgtrigger.F("new__snapshot"))
                    | pgtrigger.Q(old__patient_id__df=pgtrigger.F("new__patient_id"))
                ),
            ),
            pgtrigger.Protect(
                name="presented_plan_no_delete",
                operation=pgtrigger.Delete,
                condition=~pgtrigger.Q(old__status=PlanStatus.DRAFT),
            ),
        ]

    def __str__(self) -> str:
        return f"treatment plan {self.pk} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


# Items change only while their plan is a draft (whatever code path tries).
ITEMS_OF_DRAFT_ONLY = """
IF (SELECT status FROM treatment_treatmentplan
    WHERE id = COALESCE(NEW.plan_id, OLD.plan_id)) IS DISTINCT FROM 'draft'
   OR (TG_OP = 'UPDATE' AND (SELECT status FROM treatment_treatmentplan
    WHERE id = OLD.plan_id) IS DISTINCT FROM 'draft') THEN
    RAISE EXCEPTION 'pgtrigger: the items of a presented treatment plan are frozen'
        USING ERRCODE = 'restrict_violation';
END IF;
IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
RETURN NEW;
"""


class PlanItem(models.Model):
    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.CASCADE, related_name="items"
    )
    chart_entry = models.ForeignKey(
        "dental.ChartEntry", on_delete=models.PROTECT, related_name="plan_items"
    )
    phase = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_PHASE)]
    )
    # "" for the core of the phase; "A", "B"... for mutually exclusive options.
    alternative = models.CharField(max_length=1, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phase", "alternative", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "chart_entry"], name="treatment_item_once_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(phase__gte=1, phase__lte=MAX_PHASE),
                name="treatment_item_phase_bounds",
            ),
            models.CheckConstraint(
                condition=Q(alternative__regex=r"^[A-Z]?$"),
                name="treatment_item_alternative_letter",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="items_of_draft_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=ITEMS_OF_DRAFT_ONLY,
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} item {self.pk}"


class SignatureKind(models.TextChoices):
    DRAWN = "drawn", _("Drawn")
    TYPED = "typed", _("Typed")


class PlanAcceptance(models.Model):
    """The signed decision on one presented plan (one per plan).

    Who signed is kept as values, not foreign keys: the row never changes,
    and an account that goes (erasure) must not have to update it."""

    plan = models.OneToOneField(
        TreatmentPlan, on_delete=models.PROTECT, related_name="acceptance"
    )
    accepted_item_ids = ArrayField(models.BigIntegerField())
    alternative = models.CharField(max_length=1, blank=True, default="")
    # The hash of the snapshot the signer saw (equal to the plan's).
    snapshot_hash = models.CharField(max_length=64)
    signed_by_user_id = models.BigIntegerField(null=True, blank=True)
    signed_by_role = models.CharField(max_length=20)
    # Staff signing with the patient in the clinic (a tablet), not the
    # patient in the portal.
    in_clinic = models.BooleanField(default=False)
    signer_name = models.CharField(max_length=200, blank=True, default="")
    signature_kind = models.CharField(max_length=5, choices=SignatureKind.choices)
    signature_png = models.BinaryField(null=True, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(snapshot_hash__regex=r"^[0-9a-f]{64}$"),
                name="treatment_acceptance_hash",
            ),
            models.CheckConstraint(
                condition=(
                    Q(signature_kind=SignatureKind.DRAWN, signature_png__isnull=False)
                    | (Q(signature_kind=SignatureKind.TYPED) & ~Q(signer_name=""))
                ),
                name="treatment_acceptance_signed",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="acceptance_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"acceptance of plan {self.plan_id}"

    def __repr__(self) -> str:
        return f"<PlanAcceptance {self.pk}>"
