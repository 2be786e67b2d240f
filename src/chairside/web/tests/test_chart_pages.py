"""The chart page: who sees what, charting in place, completing and
invalidating, a refused form that writes nothing, and a query count that
does not grow with the entries."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from chairside.audit.tracking import CHART_READ
from chairside.core.clinic_time import clinic_today
from chairside.dental import catalogue, services
from chairside.dental.models import ChartEntry, EntryStatus
from chairside.patients.models import PatientEvent
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

CODES = [
    # code, area, effect, fee
    ("COMP-1S", "surface", "filling", "120.00"),
    ("CROWN", "tooth", "crown", "950.00"),
    ("EXT", "tooth", "extracted", "150.00"),
    ("RCT-MOLAR", "tooth", "root_canal", "900.00"),
    ("IMPL", "tooth", "implant", "2000.00"),
    ("BRIDGE-3", "tooth_range", "bridge", "2400.00"),
    ("EXAM", "mouth", "", "45.00"),
]


@pytest.fixture
def world(alpha):
    with schema_context(alpha.schema_name):
        admin = world_user(alpha, "admin")
        codes = {
            code: catalogue.procedure_code_create(
                actor=admin,
                code=code,
                short_description=f"{code} test",
                category="restorative",
                area=area,
                effect=effect,
                default_fee=Decimal(fee),
            )
            for code, area, effect, fee in CODES
        }
        catalogue.procedure_code_create(
            actor=admin,
            code="OLD-1",
            short_description="Retired filling",
            category="restorative",
            area="surface",
            is_active=False,
        )
        yield {
            "clinic": alpha,
            "patient": world_patient(alpha),
            "dentist": world_user(alpha, "dentist"),
            "codes": codes,
        }


def chart_url(world) -> str:
    return f"/app/patients/{world['patient'].pk}/chart/"


def chart(world, **fields) -> ChartEntry:
    with schema_context(world["clinic"].schema_name):
        return services.chart_entry_create(
            actor=world["dentist"],
            patient=world["patient"],
            **({"kind": "procedure"} | fields),
        )


def entries(world) -> int:
    with schema_context(world["clinic"].schema_name):
        return ChartEntry.objects.filter(patient=world["patient"]).count()


def surface_class(html: str, tooth: int, surface: str) -> str:
    group = re.search(rf'<g class="[^"]*" data-tooth="{tooth}".*?</g>', html, re.S)
    assert group, f"tooth {tooth} is not drawn"
    shape = re.search(
        rf'<polygon class="([^"]*)" data-surface="{surface}"', group.group(0)
    )
    return shape.group(1)


@pytest.mark.parametrize(
    ("local", "status"),
    [
        ("admin", HTTPStatus.OK),
        ("dentist", HTTPStatus.OK),
        ("receptionist", HTTPStatus.OK),
        ("patient", HTTPStatus.FORBIDDEN),
    ],
)
def test_chart_page_by_role(web, world, local, status):
    assert web(world["clinic"], local).get(chart_url(world)).status_code == status


def test_chart_draws_every_surface_of_every_tooth_with_its_fdi_number(web, world):
    html = web(world["clinic"], "dentist").get(chart_url(world)).content.decode()

    assert html.count('class="tooth') == 32
    for surface in "MODBLV":
        assert f'data-surface="{surface}"' in html
    assert 'data-tooth="18"' in html
    assert 'data-tooth="48"' in html
    assert 'id="chart-form"' in html


def test_reading_the_chart_is_audited(web, world):
    with schema_context(world["clinic"].schema_name):
        before = PatientEvent.objects.filter(pgh_label=CHART_READ).count()
    web(world["clinic"], "receptionist").get(chart_url(world))
    with schema_context(world["clinic"].schema_name):
        assert PatientEvent.objects.filter(pgh_label=CHART_READ).count() == before + 1


def test_receptionist_reads_the_chart_without_the_form_actions_or_notes(web, world):
    chart(world, procedure_code="COMP-1S", tooth="16", surfaces="MO", note="Deep")
    html = web(world["clinic"], "receptionist").get(chart_url(world)).content.decode()

    assert 'id="chart-form"' not in html
    assert "/complete/" not in html
    assert "/invalidate/" not in html
    assert "Deep" not in html
    assert "planned" in surface_class(html, 16, "M")


def test_dentist_charts_a_filling_and_the_chart_redraws_in_place(web, world):
    response = web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/",
        {
            "kind": "procedure",
            "tooth": "16",
            "surfaces": ["M", "O"],
            "code_query": "COMP-1S",
            "procedure_code": str(world["codes"]["COMP-1S"].pk),
            "status": "planned",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert html.startswith('<div id="chart-area"'), "the fragment, not the page"
    assert "planned" in surface_class(html, 16, "M")
    assert "planned" in surface_class(html, 16, "O")
    assert "planned" not in surface_class(html, 16, "D")
    assert "120.00" in html
    assert entries(world) == 1


def test_a_code_typed_without_the_type_ahead_is_charted_too(web, world):
    response = web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/",
        {"kind": "procedure", "code_query": "crown", "tooth": "21",
         "status": "completed"},
    )  # fmt: skip

    assert response.status_code == HTTPStatus.FOUND
    html = web(world["clinic"], "dentist").get(chart_url(world)).content.decode()
    assert 'class="ring completed"' in html


def test_a_refused_entry_writes_nothing_and_shows_why_on_the_form(web, world):
    # A crown sits on a tooth, not on surfaces: the service refuses it.
    response = web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/",
        {
            "kind": "procedure",
            "tooth": "26",
            "surfaces": ["O"],
            "procedure_code": str(world["codes"]["CROWN"].pk),
            "code_query": "CROWN",
            "status": "planned",
        },
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "does not belong to this treatment area" in response.content.decode()
    assert entries(world) == 0


def test_an_inactive_code_is_refused(web, world):
    response = web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/",
        {"kind": "procedure", "tooth": "26", "surfaces": ["O"],
         "code_query": "OLD-1", "status": "planned"},
    )  # fmt: skip

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert entries(world) == 0


def test_receptionist_cannot_chart(web, world):
    response = web(world["clinic"], "receptionist").post(
        f"{chart_url(world)}entries/",
        {"kind": "condition", "condition": "caries", "tooth": "16",
         "surfaces": ["O"], "status": "existing_here"},
    )  # fmt: skip

    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN)
    assert entries(world) == 0


def test_a_condition_is_drawn_in_its_colour(web, world):
    web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/",
        {"kind": "condition", "condition": "caries", "tooth": "36",
         "surfaces": ["D"], "status": "existing_here"},
    )  # fmt: skip
    html = web(world["clinic"], "dentist").get(chart_url(world)).content.decode()

    assert "condition" in surface_class(html, 36, "D")
    assert 'data-surface="D" data-label="D" points="' in html
    assert "fill: #d62728" in html


def test_missing_extracted_root_canal_implant_and_bridge_are_drawn(web, world):
    chart(world, kind="condition", condition="missing", tooth="18",
          status="existing_here")  # fmt: skip
    chart(world, procedure_code="EXT", tooth="28", status="completed")
    chart(world, procedure_code="EXT", tooth="38", status="planned")
    chart(world, procedure_code="RCT-MOLAR", tooth="46", status="completed")
    chart(world, procedure_code="IMPL", tooth="36", status="existing_elsewhere")
    chart(world, procedure_code="BRIDGE-3", tooth="14", tooth_to="16",
          status="planned")  # fmt: skip
    html = web(world["clinic"], "dentist").get(chart_url(world)).content.decode()

    assert re.search(r'<g class="tooth absent" data-tooth="18"', html)
    assert re.search(r'<g class="tooth absent" data-tooth="28"', html)
    assert 'class="cross planned"' in html  # 38, to be extracted
    assert 'class="canal completed"' in html
    assert 'class="screw elsewhere"' in html
    assert 'class="bridge planned"' in html


def test_dentist_completes_a_planned_procedure(web, world):
    entry = chart(world, procedure_code="COMP-1S", tooth="16", surfaces="O")
    response = web(world["clinic"], "dentist").post(
        f"{chart_url(world)}entries/{entry.pk}/complete/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == HTTPStatus.OK
    assert "completed" in surface_class(response.content.decode(), 16, "O")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.COMPLETED


def test_invalidating_needs_a_reason_and_keeps_the_entry_in_the_history(web, world):
    entry = chart(world, procedure_code="COMP-1S", tooth="16", surfaces="O")
    client = web(world["clinic"], "dentist")
    url = f"{chart_url(world)}entries/{entry.pk}/invalidate/"

    client.post(url, {"reason": ""})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PLANNED

    response = client.post(url, {"reason": "Wrong tooth"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.INVALIDATED
    assert "Wrong tooth" in html
    assert 'class="entry entry-invalidated invalidated"' in html
    assert "planned" not in surface_class(html, 16, "O")


def test_another_patients_entry_is_not_found(web, world, alpha):
    entry = chart(world, procedure_code="COMP-1S", tooth="16", surfaces="O")
    other = world_patient(alpha, "patient2")
    response = web(alpha, "dentist").post(
        f"/app/patients/{other.pk}/chart/entries/{entry.pk}/complete/"
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PLANNED


def test_type_ahead_offers_active_codes_only(web, world):
    client = web(world["clinic"], "receptionist")
    found = client.get("/app/chart/codes/", {"code_query": "comp"}).content.decode()
    retired = client.get("/app/chart/codes/", {"code_query": "old"}).content.decode()

    assert 'data-code="COMP-1S"' in found
    assert 'data-area="surface"' in found
    assert "OLD-1" not in retired


def test_teeth_are_labelled_in_the_users_notation(web, world):
    with schema_context(world["clinic"].schema_name):
        services.notation_preference_set(actor=world["dentist"], notation="universal")
    chart(world, procedure_code="COMP-1S", tooth="16", surfaces="O")
    html = web(world["clinic"], "dentist").get(chart_url(world)).content.decode()

    # 16 is Universal 3; the entry's tooth column says so too.
    assert 'data-tooth="16" data-name="3"' in html
    assert "<strong>3</strong>" in html


def test_a_childs_chart_opens_on_the_mixed_dentition(web, world):
    with schema_context(world["clinic"].schema_name):
        patient = world["patient"]
        patient.date_of_birth = clinic_today() - timedelta(days=365 * 8 + 10)
        patient.save(update_fields=["date_of_birth"])
    client = web(world["clinic"], "dentist")
    html = client.get(chart_url(world)).content.decode()
    primary = client.get(chart_url(world), {"dentition": "primary"}).content.decode()

    assert 'data-dentition="mixed"' in html
    assert html.count('class="tooth') == 52
    assert primary.count('class="tooth') == 20
    assert 'data-tooth="55"' in primary


def test_the_chart_costs_the_same_queries_with_3_or_30_entries(web, world):
    client = web(world["clinic"], "dentist")

    def count() -> int:
        client.get(chart_url(world))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(chart_url(world)).status_code == HTTPStatus.OK
        return len(queries)

    teeth = [f"{q}{p}" for q in (1, 2, 3, 4) for p in range(1, 9)]
    for tooth in teeth[:3]:
        chart(world, procedure_code="COMP-1S", tooth=tooth, surfaces="M")
    few = count()
    for n, tooth in enumerate(teeth[3:30]):
        if n % 3 == 0:
            chart(world, procedure_code="CROWN", tooth=tooth, status="completed")
        elif n % 3 == 1:
            chart(world, kind="condition", condition="caries", tooth=tooth,
                  surfaces="O", status="existing_here")  # fmt: skip
        else:
            chart(world, procedure_code="COMP-1S", tooth=tooth, surfaces="D")
    assert entries(world) == 30
    assert count() == few
