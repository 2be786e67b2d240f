"""A long chart for one patient: the bench's `GET /api/patients/{id}/chart`
scenario and the dental tests that compare 3 entries with 300.

Entries are written through the real services (the demo seed's actor), so
every rule the API enforces holds for them: areas, surfaces, fees frozen
from the demo catalogue's schedules, completions, invalidations with a
reason. The mix is fixed (entry i is always the same), so a chart with
fewer entries than wanted is topped up, never rebuilt (entries cannot be
deleted).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chairside.core.actors import DEMO_SEED
from chairside.core.clinic_time import clinic_now
from chairside.dental import services
from chairside.dental.demo import seed_dental_demo
from chairside.dental.models import ChartEntry
from chairside.patients.models import Patient

CHART_ENTRIES = 300
CHART_PATIENT_ID = 1  # of the large clinic, in the bench
# Teeth with every kind of surface: molars, premolars, canines, incisors.
_TEETH = ["16", "26", "36", "46", "14", "24", "34", "44", "13", "23", "11", "31"]
# (kind, procedure code or condition, status, surfaces, extra)
_PATTERNS: list[tuple[str, str, str | None, str, dict[str, Any]]] = [
    ("condition", "caries", None, "", {}),
    ("procedure", "COMP-1S", "planned", "O", {}),
    ("procedure", "COMP-2S", "completed", "MO", {}),
    ("procedure", "COMP-3S", "existing_elsewhere", "MOD", {}),
    ("condition", "watch", "existing_elsewhere", "", {}),
    ("procedure", "CROWN", "planned", "", {}),
    ("procedure", "RCT-MOLAR", "declined", "", {}),
    ("procedure", "EXAM", "completed", "", {}),
    ("procedure", "SRP-Q", "planned", "", {"quadrant": 2}),
    ("condition", "fracture", None, "", {}),
    ("procedure", "BRIDGE-3U", "referred", "", {"tooth_to": "46"}),
    ("procedure", "PROPHY", "existing_here", "", {}),
]
NOTE = "Patient reports sensitivity to cold; reviewed radiograph, monitor."


def _entry(patient: Patient, index: int, dentist_id: int | None) -> ChartEntry:
    kind, what, status, surfaces, extra = _PATTERNS[index % len(_PATTERNS)]
    tooth = _TEETH[index % len(_TEETH)]
    if "tooth_to" in extra:
        tooth = "44"  # a bridge 44-46
    needs_tooth = what not in ("EXAM", "PROPHY", "SRP-Q")
    return services.chart_entry_create(
        actor=DEMO_SEED,
        patient=patient,
        kind=kind,
        status=status,
        procedure_code=what if kind == "procedure" else None,
        condition=what if kind == "condition" else None,
        tooth=tooth if needs_tooth else None,
        surfaces=surfaces,
        note=NOTE if index % 3 == 0 else "",
        dentist_id=dentist_id,
        performed_on=(
            clinic_now().date() - timedelta(days=index)
            if status == "completed"
            else None
        ),
        **extra,
    )


def chart_seed(
    *, patient: Patient, entries: int = CHART_ENTRIES, dentist_id: int | None = None
) -> int:
    """Give `patient` (in the active clinic schema) `entries` chart entries,
    one in ten of them invalidated; the demo catalogue and fee schedules are
    made first when missing. Returns how many entries were added."""
    seed_dental_demo(actor=DEMO_SEED, patients=0)
    have = ChartEntry.objects.filter(patient=patient).count()
    for index in range(have, entries):
        entry = _entry(patient, index, dentist_id)
        if index % 10 == 9:
            services.chart_entry_invalidate(
                actor=DEMO_SEED, entry=entry, reason="Charted on the wrong tooth."
            )
    return max(entries - have, 0)
