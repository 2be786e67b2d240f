"""A small catalogue and a helper that plans three procedures in two phases
for patient@ of clinic alpha (the fixed world, conftest.py)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from PIL import Image, ImageDraw

from chairside.dental.models import ProcedureCode
from chairside.treatment import services
from chairside.treatment.models import TreatmentPlan
from conftest import world_user
from tests.world_clinical import world_patient


def signature_data_url(*, blank: bool = False) -> str:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line(
            [(10, 80), (120, 20), (290, 70)], fill="black", width=3
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@dataclass
class Catalogue:
    exam: ProcedureCode
    filling: ProcedureCode
    crown: ProcedureCode


@pytest.fixture
def catalogue(alpha) -> Catalogue:
    with tenant_context(alpha):
        make = ProcedureCode.objects.create
        return Catalogue(
            exam=make(
                code="T-EXAM",
                short_description="Exam",
                category="diagnostic",
                area="mouth",
                default_duration_minutes=20,
                default_fee=Decimal("50.00"),
            ),
            filling=make(
                code="T-COMP",
                short_description="Composite filling",
                category="restorative",
                area="surface",
                default_duration_minutes=30,
                default_fee=Decimal("120.00"),
            ),
            crown=make(
                code="T-CROWN",
                short_description="Crown",
                category="prosthodontic",
                area="tooth",
                default_duration_minutes=60,
                default_fee=Decimal("900.00"),
            ),
        )


def plan_three(
    clinic, catalogue: Catalogue, *, alternative: bool = False
) -> TreatmentPlan:
    """Phase 1: exam + filling on 16 MOD; phase 2: a crown on 36 (or, with
    `alternative`, the crown as plan A and a filling on 36 as plan B)."""
    dentist = world_user(clinic, "dentist")
    patient = world_patient(clinic)
    with tenant_context(clinic):
        plan = services.plan_create(actor=dentist, patient_id=patient.pk)
        add = services.plan_item_add
        add(actor=dentist, plan_id=plan.pk, phase=1, procedure_code="T-EXAM")
        add(
            actor=dentist,
            plan_id=plan.pk,
            phase=1,
            procedure_code="T-COMP",
            tooth="16",
            surfaces="MOD",
        )
        add(
            actor=dentist,
            plan_id=plan.pk,
            phase=2,
            alternative="A" if alternative else "",
            procedure_code="T-CROWN",
            tooth="36",
        )
        if alternative:
            add(
                actor=dentist,
                plan_id=plan.pk,
                phase=2,
                alternative="B",
                procedure_code="T-COMP",
                tooth="36",
                surfaces="O",
            )
        plan.refresh_from_db()
        return plan
