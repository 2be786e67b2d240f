"""What a presented plan froze: the snapshot and its hash.

The snapshot is plain JSON (money as decimal strings, so "120.00" stays
"120.00"); its hash is the SHA-256 of the canonical form — keys sorted, no
whitespace, UTF-8 — so anyone holding the JSON can recompute it, and an
accept request proves which version the signer saw by naming it.

Totals: each phase totals its core items (no alternative label) and, per
label, that alternative's items; the plan's `core` total is every phase's
core, and `with_alternative[label]` is core plus that label's items.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from chairside.dental.display import entry_place
from chairside.dental.teeth import Notation
from chairside.treatment.models import PlanItem, TreatmentPlan

ZERO = Decimal("0.00")


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def item_view(item: PlanItem, notation: Notation | str) -> dict[str, Any]:
    entry = item.chart_entry
    code = entry.procedure_code
    place, surfaces = entry_place(entry, notation)
    return {
        "id": item.pk,
        "chart_entry_id": entry.pk,
        "phase": item.phase,
        "alternative": item.alternative,
        "code": code.code,
        "description": code.short_description,
        "area": entry.area,
        "tooth": entry.tooth,
        "tooth_display": place,
        "surfaces": surfaces,
        "fee": str(entry.fee if entry.fee is not None else ZERO),
        "duration_minutes": code.default_duration_minutes,
    }


def totals(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    phases: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    labels: set[str] = set()
    for item in items:
        phases[item["phase"]][item["alternative"]] += Decimal(item["fee"])
        if item["alternative"]:
            labels.add(item["alternative"])
    core = sum((p.get("", ZERO) for p in phases.values()), ZERO)
    return {
        "phases": [
            {
                "phase": phase,
                "core": str(sums.get("", ZERO).quantize(ZERO)),
                "alternatives": {
                    label: str(value.quantize(ZERO))
                    for label, value in sorted(sums.items())
                    if label
                },
            }
            for phase, sums in sorted(phases.items())
        ],
        "core": str(core.quantize(ZERO)),
        "with_alternative": {
            label: str(
                (
                    core + sum((p.get(label, ZERO) for p in phases.values()), ZERO)
                ).quantize(ZERO)
            )
            for label in sorted(labels)
        },
    }


def snapshot_build(
    *, plan: TreatmentPlan, items: list[PlanItem], notation: Notation | str
) -> dict[str, Any]:
    views = [item_view(item, notation) for item in items]
    return {
        "plan_id": plan.pk,
        "version": plan.version,
        "patient_id": plan.patient_id,
        "currency": plan.currency,
        "notation": str(notation),
        "items": views,
        "totals": totals(views),
    }
