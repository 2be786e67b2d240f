"""Stable error codes of the treatment app."""

from __future__ import annotations

from enum import StrEnum


class TreatmentErrorCode(StrEnum):
    PLAN_NOT_FOUND = "treatment_plan_not_found"
    ITEM_NOT_FOUND = "treatment_item_not_found"
    # A presented (or later) plan is frozen: revise it into a new version.
    PLAN_NOT_DRAFT = "treatment_plan_not_draft"
    PLAN_EMPTY = "treatment_plan_empty"
    PLAN_NOT_PRESENTED = "treatment_plan_not_presented"
    PLAN_NOT_ACCEPTED = "treatment_plan_not_accepted"
    PLAN_NOT_REVISABLE = "treatment_plan_not_revisable"
    # The accept request named another snapshot than the one presented.
    SNAPSHOT_MISMATCH = "treatment_snapshot_mismatch"
    ITEMS_INVALID = "treatment_items_invalid"
    ALTERNATIVES_MIXED = "treatment_alternatives_mixed"
    SIGNATURE_REQUIRED = "treatment_signature_required"
    SIGNATURE_INVALID = "treatment_signature_invalid"
    ENTRY_NOT_PLANNED = "treatment_entry_not_planned"
    ENTRY_IN_PLAN = "treatment_entry_in_plan"
    PHASE_EMPTY = "treatment_phase_empty"
    PHASE_BOOKED = "treatment_phase_booked"
    NOTHING_TO_COMPLETE = "treatment_nothing_to_complete"
