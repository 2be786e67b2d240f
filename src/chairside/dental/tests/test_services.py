"""The chart, the catalogue and the fees, through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from chairside.core.errors import ChairsideError, Conflict, PermissionDenied
from chairside.dental import catalogue, catalogue_import, selectors, services
from chairside.dental.errors import DentalErrorCode
from chairside.dental.models import ChartEntry, ChartEntryEvent, ProcedureCode
from chairside.patients.models import PatientEvent
from chairside.privacy.services import patient_erase
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

HEADER = ",".join(catalogue_import.HEADER)


@pytest.fixture
def ctx(alpha):
    with schema_context(alpha.schema_name):
        admin = world_user(alpha, "admin")
        code = catalogue.procedure_code_create(
            actor=admin,
            code="comp-2s",
            short_description="Composite, two surfaces",
            category="restorative",
            area="surface",
            default_fee=Decimal("100.00"),
            effect="filling",
        )
        yield {
            "admin": admin,
            "dentist": world_user(alpha, "dentist"),
            "reception": world_user(alpha, "receptionist"),
            "patient": world_patient(alpha),
            "other": world_patient(alpha, "patient2"),
            "code": code,
        }


def _plan(ctx, **fields):
    values = {
        "actor": ctx["dentist"],
        "patient": ctx["patient"],
        "kind": "procedure",
        "procedure_code": "COMP-2S",
        "tooth": "36",
        "surfaces": "om",
        **fields,
    }
    return services.chart_entry_create(**values)


def test_codes_are_stored_upper_case_and_unique_ignoring_case(ctx):
    assert ctx["code"].code == "COMP-2S"
    with pytest.raises(Conflict) as caught:
        catalogue.procedure_code_create(
            actor=ctx["admin"],
            code="Comp-2s",
            short_description="Again",
            category="restorative",
            area="surface",
        )
    assert caught.value.code == DentalErrorCode.CODE_TAKEN


def test_fee_lookup_patient_schedule_then_standard_then_default(ctx):
    admin, patient, code = ctx["admin"], ctx["patient"], ctx["code"]
    assert selectors.fee_for(patient=patient, code=code) == Decimal("100.00")
    standard = catalogue.fee_schedule_create(
        actor=admin, name="Standard", is_standard=True
    )
    catalogue.fee_schedule_set_fees(
        actor=admin, schedule=standard, fees={code.pk: Decimal("90.00")}
    )
    assert selectors.fee_for(patient=patient, code=code) == Decimal("90.00")
    member = catalogue.fee_schedule_create(actor=admin, name="Membership")
    catalogue.patient_fee_schedule_set(actor=admin, patient=patient, schedule=member)
    # On a schedule without this code: the standard fee.
    assert selectors.fee_for(patient=patient, code=code) == Decimal("90.00")
    catalogue.fee_schedule_set_fees(
        actor=admin, schedule=member, fees={code.pk: Decimal("70.00")}
    )
    assert selectors.fee_for(patient=patient, code=code) == Decimal("70.00")
    assert selectors.fee_for(patient=ctx["other"], code=code) == Decimal("90.00")


def test_only_one_standard_schedule(ctx):
    first = catalogue.fee_schedule_create(
        actor=ctx["admin"], name="A", is_standard=True
    )
    catalogue.fee_schedule_create(actor=ctx["admin"], name="B", is_standard=True)
    first.refresh_from_db()
    assert not first.is_standard


def test_fees_are_frozen_when_planned(ctx):
    entry = _plan(ctx)
    assert entry.fee == Decimal("100.00")
    assert entry.surfaces == "MO"
    catalogue.procedure_code_update(
        actor=ctx["admin"],
        procedure_code=ctx["code"],
        changes={"default_fee": Decimal("150.00")},
    )
    done = services.chart_entry_complete(actor=ctx["dentist"], entry=entry)
    assert done.fee == Decimal("100.00")
    assert done.performed_on is not None
    assert done.dentist is not None  # the dentist@ account's own record
    assert _plan(ctx).fee == Decimal("150.00")


def test_only_admins_change_fees(ctx):
    with pytest.raises(PermissionDenied):
        catalogue.procedure_code_update(
            actor=ctx["dentist"],
            procedure_code=ctx["code"],
            changes={"default_fee": Decimal("1.00")},
        )
    catalogue.procedure_code_update(
        actor=ctx["dentist"],
        procedure_code=ctx["code"],
        changes={"short_description": "Composite MO"},
    )
    with pytest.raises(PermissionDenied):
        catalogue.fee_schedule_create(actor=ctx["dentist"], name="X")


def test_wrong_area_is_refused(ctx):
    with pytest.raises(ChairsideError) as caught:
        _plan(ctx, surfaces="")
    assert caught.value.code == DentalErrorCode.WRONG_AREA
    with pytest.raises(ChairsideError) as caught:
        _plan(ctx, tooth="19")
    assert caught.value.code == DentalErrorCode.INVALID_TOOTH


def test_teeth_in_any_notation_are_stored_in_fdi(ctx):
    assert _plan(ctx, tooth="19", notation="universal").tooth == 36
    assert _plan(ctx, tooth="LL6", notation="palmer").tooth == 36


def test_receptionist_reads_but_does_not_chart(ctx):
    with pytest.raises(PermissionDenied):
        _plan(ctx, actor=ctx["reception"])
    chart = services.patient_chart(actor=ctx["reception"], patient=ctx["patient"])
    assert not chart.show_notes


def test_invalidation_keeps_the_entry_and_needs_a_reason(ctx):
    entry = _plan(ctx)
    with pytest.raises(ChairsideError) as caught:
        services.chart_entry_invalidate(actor=ctx["dentist"], entry=entry, reason=" ")
    assert caught.value.code == DentalErrorCode.REASON_REQUIRED
    services.chart_entry_invalidate(
        actor=ctx["dentist"], entry=entry, reason="Wrong tooth"
    )
    chart = services.patient_chart(actor=ctx["dentist"], patient=ctx["patient"])
    assert [e.status for e in chart.entries] == ["invalidated"]
    assert chart.teeth[36].entry_ids == []
    with pytest.raises(Conflict):
        services.chart_entry_complete(actor=ctx["dentist"], entry=entry)


def test_tooth_state_is_derived_from_entries(ctx):
    admin = ctx["admin"]
    ext = catalogue.procedure_code_create(
        actor=admin,
        code="EXT",
        short_description="Extraction",
        category="oral_surgery",
        area="tooth",
        effect="extracted",
    )
    services.chart_entry_create(
        actor=ctx["dentist"],
        patient=ctx["patient"],
        kind="procedure",
        procedure_code=ext.code,
        tooth="48",
        status="completed",
    )
    for condition, fdi in (("crown", "11"), ("caries", "26"), ("missing", "18")):
        services.chart_entry_create(
            actor=ctx["dentist"],
            patient=ctx["patient"],
            kind="condition",
            condition=condition,
            tooth=fdi,
        )
    _plan(ctx)
    teeth = services.patient_chart(actor=admin, patient=ctx["patient"]).teeth
    assert teeth[48].presence == "extracted"
    assert teeth[18].presence == "missing"
    assert teeth[11].restorations == ["crown"]
    assert teeth[26].conditions == ["caries"]
    assert teeth[36].planned == 1
    assert teeth[21].presence == "present"


def test_every_chart_read_is_audited(ctx):
    reads = PatientEvent.objects.filter(
        pgh_obj_id=ctx["patient"].pk, pgh_label="chart.read"
    )
    before = reads.count()
    services.patient_chart(actor=ctx["reception"], patient=ctx["patient"])
    assert reads.count() == before + 1
    assert reads.order_by("-pgh_id").first().pgh_context.metadata["reader"] == (
        ctx["reception"].pk
    )


def test_chart_query_count_does_not_grow_with_entries(ctx):
    counts = []
    for n in (3, 27):  # 3 entries, then 30
        for _ in range(n):
            _plan(ctx)
        with CaptureQueriesContext(connection) as queries:
            chart = services.patient_chart(actor=ctx["dentist"], patient=ctx["patient"])
        counts.append(len(queries))
    assert len(chart.entries) == 30
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


# --- the CSV import -----------------------------------------------------------


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def test_import_creates_then_updates_without_duplicates(ctx):
    content = _csv(
        "EXAM,Exam,,diagnostic,mouth,20,45.00,false,true,true",
        "comp-2s,Composite MO or DO,,restorative,surface,40,110,false,false,yes",
    )
    result = catalogue_import.procedure_codes_import(
        actor=ctx["admin"], content=content
    )
    assert (result.created, result.updated) == (1, 1)
    again = catalogue_import.procedure_codes_import(actor=ctx["admin"], content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ProcedureCode.objects.filter(code__iexact="comp-2s").count() == 1
    ctx["code"].refresh_from_db()
    assert ctx["code"].default_fee == Decimal("110.00")
    assert ctx["code"].short_description == "Composite MO or DO"


def test_an_invalid_row_imports_nothing_and_every_error_is_reported(ctx):
    content = _csv(
        "NEW1,Fine,,preventive,mouth,20,10,false,false,true",
        "BAD CODE,,,surgery,galaxy,999,-5,maybe,false,true",
        "NEW1,Twice,,preventive,mouth,20,10,false,false,true",
        "SHORT,row",
    )
    with pytest.raises(ChairsideError) as caught:
        catalogue_import.procedure_codes_import(actor=ctx["admin"], content=content)
    assert caught.value.code == DentalErrorCode.IMPORT_INVALID
    found = {(e["row"], e["field"]) for e in caught.value.details["rows"]}
    assert {
        (3, "code"),
        (3, "short_description"),
        (3, "category"),
        (3, "area"),
        (3, "duration_minutes"),
        (3, "fee"),
        (3, "is_hygiene"),
        (4, "code"),
        (5, ""),
    } <= found
    assert (2, "code") not in found
    assert not ProcedureCode.objects.filter(code="NEW1").exists()


def test_import_refuses_a_wrong_header_and_a_huge_file(ctx):
    with pytest.raises(ChairsideError):
        catalogue_import.procedure_codes_import(
            actor=ctx["admin"], content=b"code,description\nX,Y"
        )
    rows = [f"C{i},D,,other,mouth,1,1,false,false,true" for i in range(2001)]
    with pytest.raises(ChairsideError) as caught:
        catalogue_import.procedure_codes_import(actor=ctx["admin"], content=_csv(*rows))
    assert caught.value.code == DentalErrorCode.IMPORT_TOO_LARGE


def test_a_dentist_cannot_change_fees_by_import(ctx):
    content = _csv("COMP-2S,Composite,,restorative,surface,40,1.00,false,false,true")
    with pytest.raises(PermissionDenied):
        catalogue_import.procedure_codes_import(actor=ctx["dentist"], content=content)
    ctx["code"].refresh_from_db()
    assert ctx["code"].default_fee == Decimal("100.00")


# --- erasure --------------------------------------------------------------------


def test_erasure_blanks_notes_and_keeps_the_clinical_facts(ctx):
    entry = _plan(ctx, note="Pat says it hurts since the wedding")
    services.chart_entry_complete(actor=ctx["dentist"], entry=entry)
    wrong = _plan(ctx, note="x")
    services.chart_entry_invalidate(
        actor=ctx["dentist"], entry=wrong, reason="Pat's other tooth"
    )
    assert patient_erase(actor=ctx["admin"], patient=ctx["patient"]) == "anonymized"
    entry.refresh_from_db()
    wrong.refresh_from_db()
    assert (entry.note, entry.tooth, entry.fee, entry.status) == (
        "",
        36,
        Decimal("100.00"),
        "completed",
    )
    assert wrong.invalidated_reason == "Erased"
    events = ChartEntryEvent.objects.filter(patient_id=ctx["patient"].pk)
    assert events.exists()
    assert not events.exclude(note="").exists()
    assert not events.filter(invalidated_reason__contains="Pat").exists()
    assert ChartEntry.objects.filter(patient=ctx["patient"]).count() == 2


def test_demo_seed_is_idempotent(ctx):
    from chairside.dental.demo import seed_dental_demo

    seed_dental_demo()
    counts = (ProcedureCode.objects.count(), ChartEntry.objects.count())
    seed_dental_demo()
    assert (ProcedureCode.objects.count(), ChartEntry.objects.count()) == counts
    assert ChartEntry.objects.values("patient").distinct().count() == 2
    assert ProcedureCode.objects.filter(code="RCT-MOLAR", effect="root_canal").exists()


def test_status_moves_and_work_done_elsewhere_has_no_fee(ctx):
    entry = _plan(ctx)
    declined = services.chart_entry_set_status(
        actor=ctx["dentist"], entry=entry, status="declined"
    )
    assert declined.status == "declined"
    with pytest.raises(Conflict):
        services.chart_entry_set_status(
            actor=ctx["dentist"], entry=declined, status="completed"
        )
    assert _plan(ctx, status="existing_elsewhere").fee is None
    with pytest.raises(ChairsideError):
        services.chart_entry_create(
            actor=ctx["dentist"],
            patient=ctx["patient"],
            kind="condition",
            condition="caries",
            tooth="36",
            status="planned",
        )


def test_no_future_dates_no_archived_patients_and_supernumerary_teeth(ctx):
    from datetime import timedelta

    from chairside.core.clinic_time import clinic_now

    tomorrow = clinic_now().date() + timedelta(days=1)
    with pytest.raises(ChairsideError) as caught:
        services.chart_entry_complete(
            actor=ctx["dentist"], entry=_plan(ctx), performed_on=tomorrow
        )
    assert caught.value.code == DentalErrorCode.DATE_IN_FUTURE
    extra = services.chart_entry_create(
        actor=ctx["dentist"],
        patient=ctx["patient"],
        kind="condition",
        condition="impacted",
        tooth="18",
        supernumerary=True,
    )
    assert (extra.tooth, extra.supernumerary) == (18, True)
    teeth = services.patient_chart(actor=ctx["dentist"], patient=ctx["patient"]).teeth
    assert teeth[18].conditions == []  # the extra tooth, not 18 itself
    ctx["other"].is_archived = True
    ctx["other"].save()
    with pytest.raises(Conflict):
        _plan(ctx, patient=ctx["other"])
