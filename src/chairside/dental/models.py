"""The dental chart of one clinic (in the clinic's schema).

The contract other apps build on:
- Teeth are FDI numbers (`chairside.dental.teeth`), surfaces a canonical
  string in "MODBLV" order (`surfaces`), the place on the mouth an `Area`
  (`areas`). The database refuses any tooth that is not one of the 52.
- `ProcedureCode` is the clinic's own catalogue (never a licensed code set);
  a code once used on a chart is never deleted (PROTECT), only deactivated.
- `ChartEntry` is one finding (kind=condition) or one procedure
  (kind=procedure) on a patient's chart. Its `fee` is frozen when it is
  planned; a completed entry's code, place and fee cannot change (a
  trigger), and no entry is ever deleted (a trigger): a wrong one is
  invalidated with a reason and stays in the history. `appointment` links a
  planned procedure to the visit it is booked for (the treatment app sets
  it); invoicing reads completed procedures.
- Write through `chairside.dental.services`, read through `selectors`.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from chairside.audit.tracking import audited
from chairside.core.models import TimeStampedModel
from chairside.dental.areas import Area
from chairside.dental.teeth import ARCHES, FDI_NUMBERS, QUADRANTS, SEXTANTS, Notation

MONEY = {"max_digits": 10, "decimal_places": 2}


class Category(models.TextChoices):
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    PREVENTIVE = "preventive", _("Preventive")
    RESTORATIVE = "restorative", _("Restorative")
    ENDODONTIC = "endodontic", _("Endodontic")
    PERIODONTIC = "periodontic", _("Periodontic")
    PROSTHODONTIC = "prosthodontic", _("Prosthodontic")
    ORAL_SURGERY = "oral_surgery", _("Oral surgery")
    ORTHODONTIC = "orthodontic", _("Orthodontic")
    OTHER = "other", _("Other")


class ToothEffect(models.TextChoices):
    """What a completed procedure or a condition does to its tooth's state
    on the chart (selectors.patient_chart derives each tooth from these)."""

    NONE = "", _("None")
    MISSING = "missing", _("Missing")
    EXTRACTED = "extracted", _("Extracted")
    IMPLANT = "implant", _("Implant")
    CROWN = "crown", _("Crown")
    ROOT_CANAL = "root_canal", _("Root canal")
    FILLING = "filling", _("Filling")
    BRIDGE = "bridge", _("Bridge")


@audited()
class ProcedureCode(TimeStampedModel):
    code = models.CharField(max_length=20)
    short_description = models.CharField(max_length=100)
    long_description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    area = models.CharField(max_length=20, choices=Area.choices)
    default_duration_minutes = models.PositiveSmallIntegerField(default=30)
    default_fee = models.DecimalField(
        **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    effect = models.CharField(
        max_length=20, choices=ToothEffect.choices, blank=True, default=""
    )
    is_hygiene = models.BooleanField(default=False)
    triggers_recall = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            # "comp-1s" and "COMP-1S" are one code: imports match that way.
            models.UniqueConstraint(Lower("code"), name="dental_code_unique_ci"),
            models.CheckConstraint(
                condition=Q(default_fee__gte=0), name="dental_code_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(default_duration_minutes__lte=480),
                name="dental_code_duration_bounds",
            ),
            models.CheckConstraint(
                condition=Q(area__in=Area.values), name="dental_code_area_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values),
                name="dental_code_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_description}"


@audited()
class FeeSchedule(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    # The clinic's standard fees: used when a patient is on no schedule.
    is_standard = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_standard", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_standard"],
                condition=Q(is_standard=True),
                name="dental_one_standard_schedule",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class FeeScheduleFee(models.Model):
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.CASCADE, related_name="fees"
    )
    code = models.ForeignKey(
        ProcedureCode, on_delete=models.PROTECT, related_name="schedule_fees"
    )
    fee = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "code"], name="dental_schedule_fee_unique"
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0), name="dental_schedule_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id}:{self.code_id}"


@audited()
class PatientFeeSchedule(models.Model):
    """The fee schedule a patient is on (none: the clinic's standard)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="fee_schedule"
    )
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.PROTECT, related_name="patients"
    )

    def __str__(self) -> str:
        return f"patient {self.patient_id} on schedule {self.schedule_id}"


NOTATION_CHOICES = [(n.value, n.name.title()) for n in Notation]


class ChartSettings(models.Model):
    """One row per clinic schema (pk is always 1)."""

    default_notation = models.CharField(
        max_length=10, choices=NOTATION_CHOICES, default=Notation.FDI
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "chart settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="chart_settings_singleton"),
            models.CheckConstraint(
                condition=Q(default_notation__in=[n.value for n in Notation]),
                name="chart_settings_notation_valid",
            ),
        ]

    def __str__(self) -> str:
        return "chart settings"


class NotationPreference(models.Model):
    """A user's own tooth notation, over the clinic's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notation_preference",
    )
    notation = models.CharField(max_length=10, choices=NOTATION_CHOICES)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(notation__in=[n.value for n in Notation]),
                name="notation_preference_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.notation}"


@audited()
class ConditionType(TimeStampedModel):
    """A finding a chart can record (caries, fracture...). Seeded by a data
    migration; a clinic may add its own."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    colour = models.CharField(
        max_length=7,
        default="#888888",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$")],
    )
    effect = models.CharField(
        max_length=20, choices=ToothEffect.choices, blank=True, default=""
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    CONDITION = "condition", _("Condition")
    PROCEDURE = "procedure", _("Procedure")


class EntryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMPLETED = "completed", _("Completed")
    EXISTING_HERE = "existing_here", _("Existing (this clinic)")
    EXISTING_ELSEWHERE = "existing_elsewhere", _("Existing (elsewhere)")
    REFERRED = "referred", _("Referred")
    DECLINED = "declined", _("Declined")
    INVALIDATED = "invalidated", _("Invalidated")


# What the chart shows as the mouth's state (not planned, declined, gone).
IN_MOUTH_STATUSES = (
    EntryStatus.COMPLETED,
    EntryStatus.EXISTING_HERE,
    EntryStatus.EXISTING_ELSEWHERE,
)
# The fields a completed entry keeps for good (its record and its price).
FROZEN_WHEN_COMPLETED = (
    "kind",
    "procedure_code_id",
    "condition_type_id",
    "area",
    "tooth",
    "tooth_to",
    "surfaces",
    "arch",
    "quadrant",
    "sextant",
    "supernumerary",
    "fee",
    "patient_id",
)


def _frozen_changed() -> pgtrigger.Q:
    changed = None
    for name in FROZEN_WHEN_COMPLETED:
        q = pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")})
        changed = q if changed is None else changed | q
    return changed


@audited()
class ChartEntry(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="chart_entries"
    )
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    condition_type = models.ForeignKey(
        ConditionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    procedure_code = models.ForeignKey(
        ProcedureCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    area = models.CharField(max_length=20, choices=Area.choices)
    # FDI numbers (teeth.py); tooth_to ends a range (a bridge's span).
    tooth = models.PositiveSmallIntegerField(null=True, blank=True)
    tooth_to = models.PositiveSmallIntegerField(null=True, blank=True)
    surfaces = models.CharField(max_length=6, blank=True, default="")
    arch = models.PositiveSmallIntegerField(null=True, blank=True)
    quadrant = models.PositiveSmallIntegerField(null=True, blank=True)
    sextant = models.PositiveSmallIntegerField(null=True, blank=True)
    # A tooth FDI has no number for, charted beside `tooth`.
    supernumerary = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=EntryStatus.choices)
    dentist = models.ForeignKey(
        "scheduling.Dentist",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chart_entries",
    )
    performed_on = models.DateField(null=True, blank=True)
    # Frozen when planned (services.fee_for); conditions have none.
    fee = models.DecimalField(**MONEY, null=True, blank=True)
    note = models.TextField(blank=True, default="")
    invalidated_reason = models.TextField(blank=True, default="")
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The visit a planned procedure is booked for (the treatment app).
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chart_entries",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "chart entries"
        indexes = [
            models.Index(fields=["patient", "created_at", "id"]),
            models.Index(
                fields=["appointment"],
                condition=Q(appointment__isnull=False),
                name="dental_entry_appointment",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tooth__isnull=True) | Q(tooth__in=FDI_NUMBERS),
                name="dental_entry_tooth_fdi",
            ),
            models.CheckConstraint(
                condition=Q(tooth_to__isnull=True)
                | (Q(tooth_to__in=FDI_NUMBERS) & Q(tooth__isnull=False)),
                name="dental_entry_tooth_to_fdi",
            ),
            models.CheckConstraint(
                condition=Q(arch__isnull=True) | Q(arch__in=[int(a) for a in ARCHES]),
                name="dental_entry_arch_valid",
            ),
            models.CheckConstraint(
                condition=Q(quadrant__isnull=True) | Q(quadrant__in=QUADRANTS),
                name="dental_entry_quadrant_valid",
            ),
            models.CheckConstraint(
                condition=Q(sextant__isnull=True) | Q(sextant__in=SEXTANTS),
                name="dental_entry_sextant_valid",
            ),
            models.CheckConstraint(
                condition=Q(surfaces__regex=r"^M?O?D?B?L?V?$")
                & (Q(surfaces="") | Q(tooth__isnull=False)),
                name="dental_entry_surfaces_canonical",
            ),
            models.CheckConstraint(
                condition=Q(area__in=Area.values), name="dental_entry_area_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values),
                name="dental_entry_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=EntryKind.PROCEDURE, procedure_code__isnull=False)
                    | Q(kind=EntryKind.CONDITION, condition_type__isnull=False)
                ),
                name="dental_entry_kind_has_its_type",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.INVALIDATED)
                | (~Q(invalidated_reason="") & Q(invalidated_at__isnull=False)),
                name="dental_entry_invalidated_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0),
                name="dental_entry_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.COMPLETED)
                | Q(performed_on__isnull=False),
                name="dental_entry_completed_has_date",
            ),
        ]
        triggers = [
            # Clinical records are kept: a wrong entry is invalidated. The
            # patient's erasure lifts this inside its transaction
            # (dental/erasure.py) only to redact free text, never to delete.
            pgtrigger.Protect(name="entry_no_delete", operation=pgtrigger.Delete),
            # A completed procedure is a fact with a price: only its
            # invalidation (and its note) may change.
            pgtrigger.Protect(
                name="completed_entry_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status=EntryStatus.COMPLETED)
                & (
                    _frozen_changed()
                    | (
                        pgtrigger.Q(new__status__df=EntryStatus.COMPLETED)
                        & pgtrigger.Q(new__status__df=EntryStatus.INVALIDATED)
                    )
                ),
            ),
            # Invalidation is final.
            pgtrigger.Protect(
                name="invalidated_entry_final",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status=EntryStatus.INVALIDATED)
                & pgtrigger.Q(new__status__df=EntryStatus.INVALIDATED),
            ),
        ]

    def __str__(self) -> str:
        return f"chart entry {self.pk}"

    def __repr__(self) -> str:
        # Notes are clinical free text: never in a log line.
        return f"<ChartEntry {self.pk}>"
