"""What the database itself refuses, whatever code path writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import ProtectedError
from django_tenants.utils import schema_context

from chairside.dental.models import (
    ChartEntry,
    ConditionType,
    EntryKind,
    EntryStatus,
    ProcedureCode,
)
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def chart(alpha):
    with schema_context(alpha.schema_name):
        code = ProcedureCode.objects.create(
            code="T-CROWN",
            short_description="Crown",
            category="prosthodontic",
            area="tooth",
            default_fee=Decimal("800.00"),
        )
        yield {"patient": world_patient(alpha), "code": code}


def _entry(chart, **fields) -> ChartEntry:
    values = {
        "patient": chart["patient"],
        "kind": EntryKind.PROCEDURE,
        "procedure_code": chart["code"],
        "area": "tooth",
        "tooth": 36,
        "status": EntryStatus.PLANNED,
        "fee": Decimal("800.00"),
        **fields,
    }
    return ChartEntry.objects.create(**values)


def test_condition_types_are_seeded(chart):
    codes = set(ConditionType.objects.values_list("code", flat=True))
    assert {
        "caries",
        "fracture",
        "missing",
        "impacted",
        "implant",
        "crown",
        "filling",
        "root_canal",
        "watch",
    } <= codes


@pytest.mark.parametrize(
    "fields",
    [
        {"tooth": 19},
        {"tooth": 0},
        {"tooth": 99},
        {"tooth_to": 56},
        {"surfaces": "DOM"},
        {"quadrant": 5},
        {"sextant": 7},
        {"arch": 3},
        {"procedure_code": None},
        {"kind": EntryKind.CONDITION},
        {"status": EntryStatus.INVALIDATED},
        {"status": EntryStatus.COMPLETED},
        {"fee": Decimal("-1")},
        {"status": "lost"},
    ],
)
def test_database_refuses_bad_entries(chart, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _entry(chart, **fields)


def test_database_refuses_to_delete_an_entry(chart):
    entry = _entry(chart)
    with pytest.raises(DatabaseError), transaction.atomic():
        ChartEntry.objects.filter(pk=entry.pk).delete()
    assert ChartEntry.objects.filter(pk=entry.pk).exists()


def test_a_used_code_cannot_be_deleted(chart):
    _entry(chart)
    with pytest.raises(ProtectedError):
        chart["code"].delete()


def test_a_completed_entry_keeps_its_code_place_and_fee(chart):
    entry = _entry(chart, status=EntryStatus.COMPLETED, performed_on=date(2027, 1, 5))
    for change in ({"fee": Decimal("1")}, {"tooth": 37}, {"status": "planned"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            ChartEntry.objects.filter(pk=entry.pk).update(**change)
    # Its note may change, and it may be invalidated, once.
    ChartEntry.objects.filter(pk=entry.pk).update(note="seen again")
    from django.utils import timezone

    ChartEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.INVALIDATED,
        invalidated_reason="wrong tooth",
        invalidated_at=timezone.now(),
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        ChartEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.PLANNED)
