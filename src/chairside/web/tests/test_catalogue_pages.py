"""The catalogue, its CSV import, fee schedules, a patient's schedule and
tooth notation, as staff pages."""

from __future__ import annotations

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from chairside.dental import catalogue, selectors
from chairside.dental.catalogue_import import HEADER
from chairside.dental.models import FeeSchedule, FeeScheduleFee, ProcedureCode
from chairside.web.tests.browser import posted_back
from conftest import world_user
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

CSV_HEADER = ",".join(HEADER)


@pytest.fixture
def code(alpha):
    with schema_context(alpha.schema_name):
        return catalogue.procedure_code_create(
            actor=world_user(alpha, "admin"),
            code="CROWN",
            short_description="Crown",
            long_description="Full ceramic crown",
            category="prosthodontic",
            area="tooth",
            effect="crown",
            default_fee=Decimal("950.00"),
            default_duration_minutes=60,
        )


def codes(alpha) -> int:
    with schema_context(alpha.schema_name):
        return ProcedureCode.objects.count()


READ_PAGES = [
    "/app/settings/catalogue/",
    "/app/settings/catalogue/import/",
    "/app/settings/catalogue/import/example.csv",
    "/app/settings/fees/",
    "/app/settings/notation/",
]


@pytest.mark.parametrize("path", READ_PAGES)
@pytest.mark.parametrize(
    ("local", "status"),
    [
        ("admin", HTTPStatus.OK),
        ("dentist", HTTPStatus.OK),
        ("receptionist", HTTPStatus.OK),
        ("patient", HTTPStatus.FORBIDDEN),
    ],
)
def test_catalogue_pages_by_role(web, alpha, path, local, status):
    assert web(alpha, local).get(path).status_code == status


def test_catalogue_lists_searches_and_filters(web, alpha, code):
    with schema_context(alpha.schema_name):
        catalogue.procedure_code_create(
            actor=world_user(alpha, "admin"),
            code="OLD-1",
            short_description="Retired",
            category="other",
            area="mouth",
            is_active=False,
        )
    client = web(alpha, "receptionist")
    active = client.get("/app/settings/catalogue/").content.decode()
    inactive = client.get("/app/settings/catalogue/?active=inactive").content.decode()
    searched = client.get("/app/settings/catalogue/?q=ceramic&active=all")

    assert "CROWN" in active
    assert "OLD-1" not in active
    assert "OLD-1" in inactive
    assert "CROWN" not in inactive
    assert b"CROWN" not in searched.content  # the search reads code and short text
    assert "New code" not in active  # receptionists read the catalogue only


def test_staff_see_the_catalogue_in_the_header_and_admins_in_settings(web, alpha):
    dentist = web(alpha, "dentist").get("/app/").content.decode()
    settings = web(alpha, "admin").get("/app/settings/").content.decode()

    assert 'href="/app/settings/catalogue/"' in dentist
    assert 'href="/app/settings/catalogue/"' in settings
    assert 'href="/app/settings/fees/"' in settings
    assert 'href="/app/settings/notation/"' in settings


def test_dentist_creates_a_code_but_not_its_fee(web, alpha):
    client = web(alpha, "dentist")
    page = client.get("/app/settings/catalogue/new/").content.decode()
    response = client.post(
        "/app/settings/catalogue/new/",
        {
            "code": "comp-1s",
            "short_description": "Composite, one surface",
            "category": "restorative",
            "area": "surface",
            "effect": "filling",
            "default_duration_minutes": "30",
            "default_fee": "999.00",  # disabled for dentists: ignored
            "is_active": "on",
        },
    )

    assert 'name="default_fee"' in page
    assert "disabled" in page
    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        made = ProcedureCode.objects.get(code="COMP-1S")
        assert made.default_fee == Decimal("0")
        assert made.area == "surface"


def test_receptionist_cannot_open_a_new_code_or_change_one(web, alpha, code):
    client = web(alpha, "receptionist")
    page = client.get(f"/app/settings/catalogue/{code.pk}/").content.decode()
    refused = client.post(
        f"/app/settings/catalogue/{code.pk}/",
        {**posted_back(page), "short_description": "Changed"},
    )

    assert client.get("/app/settings/catalogue/new/").status_code == (
        HTTPStatus.FORBIDDEN
    )
    assert "Save code" not in page
    assert refused.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN)
    code.refresh_from_db()
    assert code.short_description == "Crown"


def test_editing_a_code_keeps_what_the_form_did_not_change(web, alpha, code):
    client = web(alpha, "dentist")
    page = client.get(f"/app/settings/catalogue/{code.pk}/").content.decode()
    fields = posted_back(page)
    fields.pop("default_fee", None)  # disabled for a dentist: not sent
    fields.update(
        short_description="Crown, ceramic", category="prosthodontic", area="tooth",
        effect="crown",
    )  # fmt: skip
    response = client.post(f"/app/settings/catalogue/{code.pk}/", fields)

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    code.refresh_from_db()
    assert code.short_description == "Crown, ceramic"
    assert code.default_fee == Decimal("950.00")
    assert code.long_description == "Full ceramic crown"
    assert code.default_duration_minutes == 60


def test_a_taken_code_is_shown_on_the_form_and_writes_nothing(web, alpha, code):
    before = codes(alpha)
    response = web(alpha, "admin").post(
        "/app/settings/catalogue/new/",
        {"code": "crown", "short_description": "Another", "category": "other",
         "area": "tooth", "default_duration_minutes": "30", "default_fee": "1.00"},
    )  # fmt: skip

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already has the code" in response.content.decode()
    assert codes(alpha) == before


def test_a_code_is_deactivated_never_deleted(web, alpha, code):
    client = web(alpha, "dentist")
    page = client.get(f"/app/settings/catalogue/{code.pk}/").content.decode()
    response = client.post(
        f"/app/settings/catalogue/{code.pk}/active/", {"active": "0"}
    )

    assert "Deactivate code" in page
    assert "Delete" not in page
    assert response.status_code == HTTPStatus.FOUND
    code.refresh_from_db()
    assert code.is_active is False
    client.post(f"/app/settings/catalogue/{code.pk}/active/", {"active": "1"})
    code.refresh_from_db()
    assert code.is_active is True


def _upload(client, text: str):
    return client.post(
        "/app/settings/catalogue/import/",
        {"file": SimpleUploadedFile("codes.csv", text.encode(), "text/csv")},
    )


def test_import_page_shows_the_header_and_imports_the_example(web, alpha):
    client = web(alpha, "admin")
    page = client.get("/app/settings/catalogue/import/").content.decode()
    example = client.get("/app/settings/catalogue/import/example.csv")
    response = _upload(client, example.content.decode())

    assert CSV_HEADER in page
    assert example["Content-Type"].startswith("text/csv")
    assert example.content.decode().splitlines()[0] == CSV_HEADER
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Imported." in html
    assert "4 created, 0 updated" in html
    again = _upload(client, example.content.decode()).content.decode()
    assert "0 created, 0 updated, 4 unchanged" in again


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_row(web, alpha):
    before = codes(alpha)
    response = _upload(
        web(alpha, "admin"),
        f"{CSV_HEADER}\n"
        "GOOD,Fine,,diagnostic,mouth,20,45.00,no,no,yes\n"
        "BAD 1,Spaces,,diagnostic,mouth,20,45.00,no,no,yes\n"
        "BAD2,Wrong area,,diagnostic,elbow,20,-3,no,no,yes\n",
    )

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "nothing was imported" in html
    assert "<td>3</td><td>code</td>" in html
    assert "<td>4</td><td>area</td>" in html
    assert "<td>4</td><td>fee</td>" in html
    assert codes(alpha) == before


def test_receptionist_cannot_import(web, alpha):
    before = codes(alpha)
    response = _upload(
        web(alpha, "receptionist"),
        f"{CSV_HEADER}\nGOOD,Fine,,diagnostic,mouth,20,0,no,no,yes\n",
    )

    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN)
    assert codes(alpha) == before


def test_admin_makes_a_schedule_and_sets_its_fees(web, alpha, code):
    client = web(alpha, "admin")
    created = client.post(
        "/app/settings/fees/", {"name": "Membership", "is_standard": ""}
    )
    with schema_context(alpha.schema_name):
        schedule = FeeSchedule.objects.get(name="Membership")
    page = client.get(created["Location"]).content.decode()
    fields = posted_back(page) | {f"fee_{code.pk}": "800.00"}
    saved = client.post(created["Location"], fields)

    assert created.status_code == HTTPStatus.FOUND
    assert saved.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        assert FeeScheduleFee.objects.get(schedule=schedule, code=code).fee == (
            Decimal("800.00")
        )


def test_a_bad_fee_writes_no_fee_at_all(web, alpha, code):
    with schema_context(alpha.schema_name):
        other = catalogue.procedure_code_create(
            actor=world_user(alpha, "admin"),
            code="EXAM",
            short_description="Exam",
            category="diagnostic",
            area="mouth",
        )
        schedule = catalogue.fee_schedule_create(
            actor=world_user(alpha, "admin"), name="Standard", is_standard=True
        )
    response = web(alpha, "admin").post(
        f"/app/settings/fees/{schedule.pk}/",
        {f"fee_{other.pk}": "40.00", f"fee_{code.pk}": "-5"},
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    with schema_context(alpha.schema_name):
        assert not FeeScheduleFee.objects.filter(schedule=schedule).exists()


def test_dentist_reads_fee_schedules_but_cannot_change_them(web, alpha, code):
    with schema_context(alpha.schema_name):
        schedule = catalogue.fee_schedule_create(
            actor=world_user(alpha, "admin"), name="Standard", is_standard=True
        )
    client = web(alpha, "dentist")
    page = client.get(f"/app/settings/fees/{schedule.pk}/").content.decode()
    refused = client.post(
        f"/app/settings/fees/{schedule.pk}/", {f"fee_{code.pk}": "1.00"}
    )
    created = client.post("/app/settings/fees/", {"name": "Sneaky"})

    assert "Save fees" not in page
    assert refused.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)
    assert created.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN)
    with schema_context(alpha.schema_name):
        assert not FeeScheduleFee.objects.exists()
        assert not FeeSchedule.objects.filter(name="Sneaky").exists()


def test_admin_puts_a_patient_on_a_schedule_from_the_patient_page(web, alpha):
    with schema_context(alpha.schema_name):
        schedule = catalogue.fee_schedule_create(
            actor=world_user(alpha, "admin"), name="Membership"
        )
    patient = world_patient(alpha)
    client = web(alpha, "admin")
    detail = client.get(f"/app/patients/{patient.pk}/").content.decode()
    fragment = client.get(
        f"/app/patients/{patient.pk}/fee-schedule/", HTTP_HX_REQUEST="true"
    ).content.decode()
    response = client.post(
        f"/app/patients/{patient.pk}/fee-schedule/", {"schedule": str(schedule.pk)}
    )

    assert f"/app/patients/{patient.pk}/fee-schedule/" in detail
    assert f"/app/patients/{patient.pk}/chart/" in detail
    assert "Membership" in fragment
    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        assert selectors.patient_fee_schedule(patient=patient) == schedule
    receptionist = web(alpha, "receptionist").get(
        f"/app/patients/{patient.pk}/fee-schedule/", HTTP_HX_REQUEST="true"
    )
    assert "Membership" in receptionist.content.decode()
    assert "<select" not in receptionist.content.decode()


def test_notation_own_preference_and_clinic_default(web, alpha):
    receptionist = web(alpha, "receptionist")
    own = receptionist.post(
        "/app/settings/notation/", {"which": "own", "own-notation": "palmer"}
    )
    refused = receptionist.post(
        "/app/settings/notation/", {"which": "clinic", "clinic-notation": "universal"}
    )
    admin = web(alpha, "admin").post(
        "/app/settings/notation/", {"which": "clinic", "clinic-notation": "universal"}
    )

    assert own.status_code == HTTPStatus.FOUND
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert admin.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        assert selectors.notation_for(user=world_user(alpha, "receptionist")) == (
            "palmer"
        )
        assert selectors.notation_for(user=world_user(alpha, "dentist")) == (
            "universal"
        )
