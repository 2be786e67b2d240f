"""The plan's lifecycle through the services, on real PostgreSQL: planning
freezes fees, presenting freezes the snapshot (the database refuses any
change of it), acceptance is bound to the snapshot's hash, a phase books
one visit of the right length, completing and invoicing bill each
procedure once at its frozen fee."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from chairside.billing.errors import BillingErrorCode
from chairside.billing.models import InvoiceItem
from chairside.billing.services import InvoiceLine, invoice_create
from chairside.billing.visits import invoice_for_visit
from chairside.core.errors import ChairsideError, Conflict, NotFound, PermissionDenied
from chairside.dental.models import ChartEntry, EntryStatus
from chairside.treatment import services
from chairside.treatment.errors import TreatmentErrorCode
from chairside.treatment.models import PlanAcceptance, PlanItem, PlanStatus
from chairside.treatment.snapshots import snapshot_hash
from conftest import world_user
from tests.world_clinical import clinic_dt, world_dentist

from .conftest import plan_three, signature_data_url

pytestmark = pytest.mark.django_db

NOW = "2027-01-05T12:00:00Z"  # a Tuesday; the clinic (New York) is open


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _present(alpha, plan):
    with tenant_context(alpha):
        return services.plan_present(
            actor=world_user(alpha, "dentist"), plan_id=plan.pk
        )


def _accept(alpha, plan, who="patient", **kwargs):
    kwargs.setdefault("snapshot_hash", plan.snapshot_hash)
    kwargs.setdefault("signature", signature_data_url())
    with tenant_context(alpha):
        return services.plan_accept(
            actor=world_user(alpha, who),
            plan_id=plan.pk,
            ip_address="203.0.113.9",
            **kwargs,
        )


def test_fee_is_frozen_when_planned(alpha, catalogue):
    plan = plan_three(alpha, catalogue)
    with tenant_context(alpha):
        catalogue.crown.default_fee = Decimal("1500.00")
        catalogue.crown.save()
        fees = sorted(
            PlanItem.objects.filter(plan=plan).values_list(
                "chart_entry__fee", flat=True
            )
        )
    assert fees == [Decimal("50.00"), Decimal("120.00"), Decimal("900.00")]


def test_present_freezes_a_snapshot_with_its_hash(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    assert plan.status == PlanStatus.PRESENTED
    assert plan.snapshot_hash == snapshot_hash(plan.snapshot)
    items = plan.snapshot["items"]
    assert [
        (i["code"], i["tooth_display"], i["surfaces"], i["fee"], i["phase"])
        for i in items
    ] == [
        ("T-EXAM", "", "", "50.00", 1),
        ("T-COMP", "16", "MOD", "120.00", 1),
        ("T-CROWN", "36", "", "900.00", 2),
    ]
    assert plan.snapshot["totals"]["core"] == "1070.00"
    assert [p["core"] for p in plan.snapshot["totals"]["phases"]] == [
        "170.00",
        "900.00",
    ]


def test_presented_plan_cannot_be_edited(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    dentist = world_user(alpha, "dentist")
    with tenant_context(alpha):
        item = PlanItem.objects.filter(plan=plan).first()
        for attempt in (
            lambda: services.plan_item_add(
                actor=dentist, plan_id=plan.pk, procedure_code="T-EXAM"
            ),
            lambda: services.plan_item_remove(
                actor=dentist, plan_id=plan.pk, item_id=item.pk
            ),
            lambda: services.plan_items_arrange(
                actor=dentist, plan_id=plan.pk, items=[{"id": item.pk, "phase": 3}]
            ),
            lambda: services.plan_present(actor=dentist, plan_id=plan.pk),
        ):
            with pytest.raises(Conflict) as caught:
                attempt()
            assert caught.value.code == TreatmentErrorCode.PLAN_NOT_DRAFT
            assert caught.value.status == HTTPStatus.CONFLICT


def test_database_refuses_changing_a_presented_snapshot(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    with tenant_context(alpha):
        for sql in (
            "UPDATE treatment_treatmentplan SET snapshot = '{}'::jsonb WHERE id = %s",
            "UPDATE treatment_treatmentplan SET snapshot_hash = repeat('0', 64)"
            " WHERE id = %s",
            "DELETE FROM treatment_treatmentplan WHERE id = %s",
            "UPDATE treatment_planitem SET phase = 5 WHERE plan_id = %s",
            "DELETE FROM treatment_planitem WHERE plan_id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="pgtrigger"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [plan.pk])


def test_database_refuses_changing_an_acceptance(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    acceptance = _accept(alpha, plan)
    with tenant_context(alpha):
        for sql in (
            "UPDATE treatment_planacceptance SET accepted_item_ids = '{}'"
            " WHERE id = %s",
            "DELETE FROM treatment_planacceptance WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="pgtrigger"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [acceptance.pk])


def test_acceptance_is_bound_to_the_snapshot_hash(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    with pytest.raises(Conflict) as caught:
        _accept(alpha, plan, snapshot_hash="f" * 64)
    assert caught.value.code == TreatmentErrorCode.SNAPSHOT_MISMATCH
    with tenant_context(alpha):
        assert not PlanAcceptance.objects.filter(plan=plan).exists()
    acceptance = _accept(alpha, plan)
    with tenant_context(alpha):
        plan.refresh_from_db()
        stored = PlanAcceptance.objects.get(plan=plan)
    assert plan.status == PlanStatus.ACCEPTED
    assert acceptance.snapshot_hash == plan.snapshot_hash
    assert stored.ip_address == "203.0.113.9"
    assert stored.signature_kind == "drawn"
    assert bytes(stored.signature_png).startswith(b"\x89PNG")
    assert stored.signed_by_role == "patient"
    assert not stored.in_clinic
    assert sorted(stored.accepted_item_ids) == sorted(
        i["id"] for i in plan.snapshot["items"]
    )
    # Decided once.
    with pytest.raises(Conflict) as again:
        _accept(alpha, plan)
    assert again.value.code == TreatmentErrorCode.PLAN_NOT_PRESENTED


def test_partial_acceptance_and_staff_on_behalf_typed(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    first = plan.snapshot["items"][0]["id"]
    acceptance = _accept(
        alpha,
        plan,
        who="receptionist",
        item_ids=[first],
        signature="",
        signer_name="Pat One",
    )
    with tenant_context(alpha):
        plan.refresh_from_db()
    assert plan.status == PlanStatus.PARTLY_ACCEPTED
    assert acceptance.in_clinic
    assert acceptance.signature_kind == "typed"
    assert acceptance.accepted_item_ids == [first]


def test_alternatives_are_exclusive(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue, alternative=True))
    items = plan.snapshot["items"]
    assert plan.snapshot["totals"]["with_alternative"] == {
        "A": "1070.00",
        "B": "290.00",
    }
    with pytest.raises(ChairsideError) as whole:
        _accept(alpha, plan)
    assert whole.value.code == TreatmentErrorCode.ITEMS_INVALID
    with pytest.raises(ChairsideError) as mixed:
        _accept(alpha, plan, item_ids=[i["id"] for i in items])
    assert mixed.value.code == TreatmentErrorCode.ALTERNATIVES_MIXED
    acceptance = _accept(alpha, plan, alternative="B")
    assert acceptance.alternative == "B"
    with tenant_context(alpha):
        plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED
    assert len(acceptance.accepted_item_ids) == 3


def test_blank_or_bogus_signatures_are_refused(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    for signature, code in (
        (signature_data_url(blank=True), TreatmentErrorCode.SIGNATURE_REQUIRED),
        ("data:image/png;base64,bm90IGEgcG5n", TreatmentErrorCode.SIGNATURE_INVALID),
        ("data:image/gif;base64,R0lGOD", TreatmentErrorCode.SIGNATURE_INVALID),
        (
            "data:image/png;base64," + "A" * 400_000,
            TreatmentErrorCode.SIGNATURE_INVALID,
        ),
    ):
        with pytest.raises(ChairsideError) as caught:
            _accept(alpha, plan, signature=signature)
        assert caught.value.code == code
    with pytest.raises(ChairsideError) as unsigned:
        _accept(alpha, plan, signature="", signer_name="  ")
    assert unsigned.value.code == TreatmentErrorCode.SIGNATURE_REQUIRED


def test_another_patient_cannot_see_or_sign(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    with pytest.raises(NotFound):
        _accept(alpha, plan, who="patient2")
    with tenant_context(alpha), pytest.raises(NotFound):
        services.plan_phase_book(
            actor=world_user(alpha, "patient2"),
            plan_id=plan.pk,
            phase=1,
            dentist_id=1,
            start=clinic_dt(alpha, "2027-01-07 10:00"),
        )


def test_patient_does_not_see_a_draft(alpha, catalogue):
    plan = plan_three(alpha, catalogue)
    with tenant_context(alpha), pytest.raises(NotFound):
        services.plan_accept(
            actor=world_user(alpha, "patient"),
            plan_id=plan.pk,
            snapshot_hash="0" * 64,
            signer_name="Pat",
        )


def test_receptionist_cannot_plan(alpha, catalogue):
    plan = plan_three(alpha, catalogue)
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        services.plan_present(actor=world_user(alpha, "receptionist"), plan_id=plan.pk)


def test_revise_makes_a_new_draft_and_keeps_the_old(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    with tenant_context(alpha):
        revision = services.plan_revise(
            actor=world_user(alpha, "dentist"), plan_id=plan.pk
        )
        plan.refresh_from_db()
        assert plan.status == PlanStatus.SUPERSEDED
        assert plan.snapshot_hash == snapshot_hash(plan.snapshot)
        assert revision.version == 2
        assert revision.status == PlanStatus.DRAFT
        assert sorted(
            revision.items.values_list("chart_entry_id", flat=True)
        ) == sorted(plan.items.values_list("chart_entry_id", flat=True))
    with pytest.raises(Conflict):
        _accept(alpha, plan)


def _book_phase_1(alpha, plan, who="receptionist"):
    with tenant_context(alpha):
        return services.plan_phase_book(
            actor=world_user(alpha, who),
            plan_id=plan.pk,
            phase=1,
            dentist_id=world_dentist(alpha).pk,
            start=clinic_dt(alpha, "2027-01-07 10:00"),
        )


def test_booking_a_phase_links_its_procedures_and_sums_durations(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    _accept(alpha, plan)
    appointment = _book_phase_1(alpha, plan)
    # 20 + 30 minutes, rounded up to the 15-minute step.
    assert appointment.duration_minutes == 60
    with tenant_context(alpha):
        codes = sorted(
            ChartEntry.objects.filter(appointment=appointment).values_list(
                "procedure_code__code", flat=True
            )
        )
    assert codes == ["T-COMP", "T-EXAM"]
    with pytest.raises(Conflict) as again:
        _book_phase_1(alpha, plan)
    assert again.value.code == TreatmentErrorCode.PHASE_EMPTY


def test_unaccepted_plan_cannot_be_booked(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    with pytest.raises(Conflict) as caught:
        _book_phase_1(alpha, plan)
    assert caught.value.code == TreatmentErrorCode.PLAN_NOT_ACCEPTED


def test_a_booking_the_calendar_refuses_links_nothing(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    _accept(alpha, plan)
    with tenant_context(alpha), pytest.raises(ChairsideError):
        services.plan_phase_book(
            actor=world_user(alpha, "receptionist"),
            plan_id=plan.pk,
            phase=1,
            dentist_id=world_dentist(alpha).pk,
            start=clinic_dt(alpha, "2027-01-07 03:00"),  # before opening
        )
    with tenant_context(alpha):
        assert not ChartEntry.objects.filter(
            plan_items__plan=plan, appointment__isnull=False
        ).exists()


def test_complete_then_invoice_at_frozen_fees_once(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    _accept(alpha, plan)
    appointment = _book_phase_1(alpha, plan)
    with tenant_context(alpha):
        catalogue.filling.default_fee = Decimal("999.00")
        catalogue.filling.save()
        done = services.visit_procedures_complete(
            actor=world_user(alpha, "dentist"), appointment_id=appointment.pk
        )
        assert {e.status for e in done} == {EntryStatus.COMPLETED}
        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACCEPTED  # phase 2 is still to do
        invoice = invoice_for_visit(
            actor=world_user(alpha, "receptionist"), appointment_id=appointment.pk
        )
        lines = [
            (i.procedure_code, i.tooth, i.surfaces, i.unit_price)
            for i in invoice.items.order_by("id")
        ]
        assert lines == [
            ("T-EXAM", "", "", Decimal("50.00")),
            ("T-COMP", "16", "MOD", Decimal("120.00")),
        ]
        assert invoice.total_amount == Decimal("170.00")
        with pytest.raises(ChairsideError) as twice:
            invoice_for_visit(
                actor=world_user(alpha, "receptionist"), appointment_id=appointment.pk
            )
        assert twice.value.code in (
            BillingErrorCode.VISIT_NOTHING_TO_BILL,
            BillingErrorCode.APPOINTMENT_ALREADY_INVOICED,
        )
        # Nor by hand, on another invoice: the database holds each once.
        entry = done[0]
        with pytest.raises(Conflict) as manual:
            invoice_create(
                actor=world_user(alpha, "receptionist"),
                patient_id=plan.patient_id,
                lines=[
                    InvoiceLine("Again", 1, Decimal("1.00"), chart_entry_id=entry.pk)
                ],
            )
        assert manual.value.code == BillingErrorCode.PROCEDURE_ALREADY_BILLED
        assert InvoiceItem.objects.filter(chart_entry=entry).count() == 1


def test_plan_completes_when_every_accepted_procedure_is_done(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    first = plan.snapshot["items"][0]["id"]
    _accept(alpha, plan, item_ids=[first])
    appointment = _book_phase_1(alpha, plan)
    with tenant_context(alpha):
        services.visit_procedures_complete(
            actor=world_user(alpha, "dentist"), appointment_id=appointment.pk
        )
        plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert appointment.duration_minutes == 30  # the exam alone: 20 -> 30


def test_receptionist_cannot_complete(alpha, catalogue):
    plan = _present(alpha, plan_three(alpha, catalogue))
    _accept(alpha, plan)
    appointment = _book_phase_1(alpha, plan)
    with tenant_context(alpha), pytest.raises(PermissionDenied):
        services.visit_procedures_complete(
            actor=world_user(alpha, "receptionist"), appointment_id=appointment.pk
        )


def test_an_entry_sits_in_one_open_plan(alpha, catalogue):
    plan = plan_three(alpha, catalogue)
    dentist = world_user(alpha, "dentist")
    with tenant_context(alpha):
        entry_id = plan.items.first().chart_entry_id
        other = services.plan_create(actor=dentist, patient_id=plan.patient_id)
        with pytest.raises(Conflict) as caught:
            services.plan_item_add(
                actor=dentist, plan_id=other.pk, chart_entry_id=entry_id
            )
    assert caught.value.code == TreatmentErrorCode.ENTRY_IN_PLAN


def test_plan_check_constraint_needs_a_snapshot(alpha, catalogue):
    plan = plan_three(alpha, catalogue)
    with tenant_context(alpha), pytest.raises(IntegrityError), transaction.atomic():
        type(plan).objects.filter(pk=plan.pk).update(status=PlanStatus.PRESENTED)


def test_demo_seed_presents_plans_and_accepts_one_once(alpha):
    from chairside.dental.demo import seed_dental_demo
    from chairside.treatment.demo import seed_treatment_demo
    from chairside.treatment.models import TreatmentPlan

    with tenant_context(alpha):
        seed_dental_demo()
        seed_treatment_demo()
        statuses = sorted(TreatmentPlan.objects.values_list("status", flat=True))
        seed_treatment_demo()
        again = sorted(TreatmentPlan.objects.values_list("status", flat=True))
    assert again == statuses
    assert statuses[0] == PlanStatus.ACCEPTED
    assert set(statuses[1:]) <= {PlanStatus.PRESENTED}


def test_erasure_blanks_the_signature_and_keeps_the_plan(alpha, catalogue):
    from chairside.privacy.services import patient_erase

    plan = _present(alpha, plan_three(alpha, catalogue))
    _accept(alpha, plan)
    with tenant_context(alpha):
        outcome = patient_erase(actor=world_user(alpha, "admin"), patient=plan.patient)
        acceptance = PlanAcceptance.objects.get(plan=plan)
        plan.refresh_from_db()
    assert outcome == "anonymized"  # the plan keeps the record
    assert acceptance.signature_png is None
    assert acceptance.signer_name == "Erased"
    assert acceptance.ip_address is None
    assert plan.snapshot_hash == snapshot_hash(plan.snapshot)


def test_estimate_is_printed_in_the_patients_language(alpha, catalogue, monkeypatch):
    from django.utils import translation

    from chairside.treatment import estimate

    plan = _present(alpha, plan_three(alpha, catalogue))
    seen = []
    real = estimate._render
    monkeypatch.setattr(
        estimate,
        "_render",
        lambda plan, clinic: (
            seen.append(translation.get_language()) or real(plan, clinic)
        ),
    )
    with tenant_context(alpha):
        user = plan.patient.user
        user.language = "es"
        user.save(update_fields=["language"])
        plan.patient.refresh_from_db()
        pdf = estimate.estimate_pdf(plan=plan, clinic=alpha)
        user.language = ""
        user.save(update_fields=["language"])
        plan.patient.user.refresh_from_db()
        estimate.estimate_pdf(plan=plan, clinic=alpha)
    assert pdf.startswith(b"%PDF")
    assert seen == ["es", alpha.default_language]
