"""Demo data for the chart: a small home-made catalogue (never a licensed
code set such as CDT), a standard and a "Membership" fee schedule, and
charts for a handful of patients. Idempotent: the catalogue is re-imported
(which changes nothing the second time), schedules and charts are only
made when missing. Called by chairside.demo.seed inside the clinic's
schema."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from chairside.core.actors import DEMO_SEED, SystemActor, ensure_system
from chairside.core.clinic_time import clinic_now
from chairside.dental import catalogue, services
from chairside.dental.catalogue_import import HEADER, procedure_codes_import
from chairside.dental.models import ChartEntry, FeeSchedule, ProcedureCode
from chairside.patients.models import Patient
from chairside.scheduling.models import Dentist

# code, short description, category, area, minutes, fee, hygiene, recall, effect
CATALOGUE = [
    ("EXAM", "Periodic exam", "diagnostic", "mouth", 20, "45.00", 0, 1, ""),
    ("BWX", "Bitewing radiographs", "diagnostic", "mouth", 10, "35.00", 0, 0, ""),
    ("PROPHY", "Cleaning (prophylaxis)", "preventive", "mouth", 40, "85.00", 1, 1, ""),
    (
        "COMP-1S",
        "Composite, one surface",
        "restorative",
        "surface",
        30,
        "120.00",
        0,
        0,
        "filling",
    ),
    (
        "COMP-2S",
        "Composite, two surfaces",
        "restorative",
        "surface",
        40,
        "160.00",
        0,
        0,
        "filling",
    ),
    (
        "COMP-3S",
        "Composite, three surfaces",
        "restorative",
        "surface",
        50,
        "200.00",
        0,
        0,
        "filling",
    ),
    ("CROWN", "Ceramic crown", "prosthodontic", "tooth", 90, "950.00", 0, 0, "crown"),
    (
        "RCT-ANT",
        "Root canal, anterior",
        "endodontic",
        "tooth",
        60,
        "600.00",
        0,
        0,
        "root_canal",
    ),
    (
        "RCT-MOLAR",
        "Root canal, molar",
        "endodontic",
        "tooth",
        90,
        "900.00",
        0,
        0,
        "root_canal",
    ),
    ("EXT", "Extraction", "oral_surgery", "tooth", 30, "150.00", 0, 0, "extracted"),
    (
        "SRP-Q",
        "Scaling and root planing, per quadrant",
        "periodontic",
        "quadrant",
        45,
        "220.00",
        1,
        1,
        "",
    ),
    (
        "IMPLANT",
        "Implant placement",
        "oral_surgery",
        "tooth",
        90,
        "1800.00",
        0,
        0,
        "implant",
    ),
    (
        "BRIDGE-3U",
        "Bridge, three units",
        "prosthodontic",
        "tooth_range",
        120,
        "2400.00",
        0,
        0,
        "bridge",
    ),
]
MEMBERSHIP_DISCOUNT = Decimal("0.85")
# Per demo patient: (kind, code or condition, status, tooth, surfaces, extra)
CHARTS = [
    [
        ("condition", "missing", None, "18", "", {}),
        ("condition", "crown", None, "26", "", {}),
        ("procedure", "COMP-2S", "completed", "36", "MO", {}),
        ("condition", "caries", None, "46", "D", {}),
        ("procedure", "COMP-1S", "planned", "46", "D", {}),
        ("procedure", "PROPHY", "planned", None, "", {}),
    ],
    [
        ("condition", "root_canal", None, "11", "", {}),
        ("procedure", "CROWN", "planned", "11", "", {}),
        ("procedure", "EXT", "completed", "38", "", {}),
        ("condition", "watch", None, "24", "", {}),
    ],
    [
        ("condition", "missing", None, "45", "", {}),
        ("procedure", "BRIDGE-3U", "planned", "44", "", {"tooth_to": "46"}),
        ("procedure", "SRP-Q", "planned", None, "", {"quadrant": 3}),
    ],
    [
        ("condition", "implant", None, "36", "", {}),
        ("condition", "fracture", None, "21", "", {}),
        ("procedure", "RCT-MOLAR", "planned", "47", "", {}),
    ],
    [
        ("condition", "filling", None, "16", "", {}),
        ("condition", "impacted", None, "48", "", {}),
        ("procedure", "EXAM", "completed", None, "", {}),
    ],
]


def _catalogue_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for code, short, category, area, minutes, fee, hyg, recall, _e in CATALOGUE:
        row = [code, short, "", category, area, minutes, fee, bool(hyg), bool(recall)]
        writer.writerow([*row, "true"])
    return out.getvalue().encode()


@transaction.atomic
def seed_dental_demo(*, actor: SystemActor = DEMO_SEED, patients: int = 5) -> None:
    """The catalogue, the schedules and charts for the first `patients`
    demo patients (in the active clinic schema)."""
    ensure_system(actor, DEMO_SEED)
    procedure_codes_import(actor=actor, content=_catalogue_csv())
    effects = {row[0]: row[8] for row in CATALOGUE}
    for code in ProcedureCode.objects.filter(code__in=effects, effect=""):
        if effects[code.code]:
            catalogue.procedure_code_update(
                actor=actor, procedure_code=code, changes={"effect": effects[code.code]}
            )
    codes = {c.code: c for c in ProcedureCode.objects.filter(code__in=effects)}
    if not FeeSchedule.objects.filter(is_standard=True).exists():
        standard = catalogue.fee_schedule_create(
            actor=actor, name="Standard", is_standard=True
        )
        catalogue.fee_schedule_set_fees(
            actor=actor,
            schedule=standard,
            fees={c.pk: c.default_fee for c in codes.values()},
        )
    membership = FeeSchedule.objects.filter(name="Membership").first()
    if membership is None:
        membership = catalogue.fee_schedule_create(actor=actor, name="Membership")
        catalogue.fee_schedule_set_fees(
            actor=actor,
            schedule=membership,
            fees={
                c.pk: (c.default_fee * MEMBERSHIP_DISCOUNT).quantize(Decimal("0.01"))
                for c in codes.values()
            },
        )
    if ChartEntry.objects.exists():
        return
    dentist = Dentist.objects.filter(is_active=True).order_by("pk").first()
    chosen = list(Patient.objects.filter(is_archived=False).order_by("pk")[:patients])
    today = clinic_now().date()
    for index, (patient, chart) in enumerate(zip(chosen, CHARTS, strict=False)):
        if index % 2 == 0:
            catalogue.patient_fee_schedule_set(
                actor=actor, patient=patient, schedule=membership
            )
        for kind, what, status, tooth, surfaces, extra in chart:
            services.chart_entry_create(
                actor=actor,
                patient=patient,
                kind=kind,
                status=status,
                procedure_code=what if kind == "procedure" else None,
                condition=what if kind == "condition" else None,
                tooth=tooth,
                surfaces=surfaces,
                dentist_id=dentist.pk if dentist else None,
                performed_on=today - timedelta(days=30)
                if status == "completed"
                else None,
                **extra,
            )
