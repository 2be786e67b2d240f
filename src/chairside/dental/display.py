"""Where a chart entry sits, as printed on an invoice line or a plan.

Billing and treatment both name an entry's place the same way; it is a
dental matter (teeth, surfaces, areas), so it lives here, below both.
"""

from __future__ import annotations

from chairside.dental.models import ChartEntry
from chairside.dental.surfaces import display_surfaces
from chairside.dental.teeth import Notation, tooth_name


def entry_place(entry: ChartEntry, notation: Notation | str) -> tuple[str, str]:
    """(tooth, surfaces) of a chart entry as printed: "16" / "#3",
    "13-23" for a range, "Q1" / "S2" / "A1" for a quadrant, sextant or
    arch, "" for the whole mouth; surfaces as read on that tooth."""
    if entry.tooth is not None:
        place = tooth_name(entry.tooth, notation)
        if entry.tooth_to is not None:
            place = f"{place}-{tooth_name(entry.tooth_to, notation)}"
        return place, display_surfaces(entry.tooth, entry.surfaces)
    for field, letter in (("quadrant", "Q"), ("sextant", "S"), ("arch", "A")):
        value = getattr(entry, field)
        if value is not None:
            return f"{letter}{value}", ""
    return "", ""
