"""The dental API: shapes, notations, errors that write nothing."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from chairside.dental.models import ChartEntry, ProcedureCode
from tests.bench.chart import chart_seed
from tests.world_clinical import world_patient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]
HEADER = (
    "code,short_description,long_description,category,area,"
    "duration_minutes,fee,is_hygiene,triggers_recall,active"
)


@pytest.fixture
def dentist(api, alpha):
    client = api(alpha, "admin")
    response = client.post(
        "/api/procedure-codes",
        {
            "code": "COMP-1S",
            "short_description": "Composite, one surface",
            "category": "restorative",
            "area": "surface",
            "default_fee": "80.00",
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    return api(alpha, "dentist")


def test_teeth_lists_52_with_every_name(api, alpha):
    teeth = api(alpha, "receptionist").get("/api/teeth?notation=universal").json()
    assert len(teeth) == 52
    first = next(t for t in teeth if t["fdi"] == 18)
    assert first | {} == first
    assert (first["universal"], first["palmer"], first["name"]) == ("1", "UR8", "1")


def test_an_entry_takes_any_notation_and_answers_fdi_and_the_name(dentist, alpha):
    response = dentist.post(
        f"/api/patients/{world_patient(alpha).pk}/chart/entries",
        {
            "kind": "procedure",
            "procedure_code": "comp-1s",
            "tooth": "UR1",
            "notation": "palmer",
            "surfaces": "i",
            "note": "chipped",
        },
    )
    assert response.status_code == HTTPStatus.CREATED, response.json()
    body = response.json()
    assert body["tooth"] == 11
    assert body["tooth_name"] == "11"  # the caller's notation: the clinic's FDI
    assert (body["surfaces"], body["surfaces_display"]) == ("O", "I")
    assert body["fee"] == "80.00"
    assert body["status"] == "planned"


def test_reception_reads_the_chart_without_notes(dentist, api, alpha):
    patient = world_patient(alpha)
    dentist.post(
        f"/api/patients/{patient.pk}/chart/entries",
        {"kind": "condition", "condition": "caries", "tooth": "36", "note": "deep"},
    )
    chart = api(alpha, "receptionist").get(f"/api/patients/{patient.pk}/chart").json()
    assert [e["note"] for e in chart["entries"]] == [None]
    assert len(chart["teeth"]) == 52
    tooth = next(t for t in chart["teeth"] if t["fdi"] == 36)
    assert tooth["conditions"] == ["caries"]
    assert dentist.get(f"/api/patients/{patient.pk}/chart").json()["entries"][0][
        "note"
    ] == ("deep")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"tooth": "19"}, "dental_invalid_tooth"),
        ({"tooth": "36", "surfaces": "MM"}, "dental_invalid_surfaces"),
        ({"tooth": "36"}, "dental_wrong_area"),
        ({"tooth": "U", "notation": "universal"}, "dental_invalid_tooth"),
    ],
)
def test_refused_entries_answer_the_error_shape_and_write_nothing(
    dentist, alpha, body, code
):
    patient = world_patient(alpha)
    response = dentist.post(
        f"/api/patients/{patient.pk}/chart/entries",
        {"kind": "procedure", "procedure_code": "COMP-1S", **body, "surfaces": "MM"}
        if "surfaces" in body
        else {"kind": "procedure", "procedure_code": "COMP-1S", **body},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == code
    with schema_context(alpha.schema_name):
        assert not ChartEntry.objects.filter(patient=patient).exists()


def test_complete_and_invalidate(dentist, alpha):
    patient = world_patient(alpha)
    entry = dentist.post(
        f"/api/patients/{patient.pk}/chart/entries",
        {
            "kind": "procedure",
            "procedure_code": "COMP-1S",
            "tooth": "46",
            "surfaces": "O",
        },
    ).json()
    done = dentist.post(f"/api/chart-entries/{entry['id']}/complete", {}).json()
    assert done["status"] == "completed"
    assert done["performed_on"]
    again = dentist.post(f"/api/chart-entries/{entry['id']}/complete", {})
    assert again.status_code == HTTPStatus.CONFLICT
    gone = dentist.post(
        f"/api/chart-entries/{entry['id']}/invalidate", {"reason": "Other tooth"}
    ).json()
    assert gone["status"] == "invalidated"
    chart = dentist.get(f"/api/patients/{patient.pk}/chart").json()
    assert [e["status"] for e in chart["entries"]] == ["invalidated"]


def _upload(client, text: str):
    upload = SimpleUploadedFile("codes.csv", text.encode(), "text/csv")
    return client.client.post(
        "/api/procedure-codes/import", {"file": upload}, **client._headers({})
    )


def test_import_over_the_api_reports_every_row(api, alpha):
    client = api(alpha, "admin")
    bad = _upload(
        client,
        f"{HEADER}\nOK-1,Fine,,other,mouth,10,1,false,false,true\n"
        "BAD!,,,x,y,1,1,false,false,true\n",
    )
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    error = bad.json()["error"]
    assert error["code"] == "dental_import_invalid"
    assert {r["row"] for r in error["details"]["rows"]} == {3}
    with schema_context(alpha.schema_name):
        assert not ProcedureCode.objects.filter(code="OK-1").exists()
    good = _upload(client, f"{HEADER}\nOK-1,Fine,,other,mouth,10,1,false,false,true\n")
    assert good.json() == {"created": 1, "updated": 0, "unchanged": 0}


def test_no_cdt_code_list_in_the_repository():
    """Licensed code sets are not shipped: no file holds several CDT-like
    codes (D plus four digits) beside descriptions."""
    cdt = re.compile(r"\bD\d{4}\b")
    skipped = {".venv", "var", ".git", "node_modules", "__pycache__"}
    offenders = []
    for path in ROOT.rglob("*"):
        if not path.is_file() or skipped & set(path.relative_to(ROOT).parts):
            continue
        if path.suffix not in {".py", ".csv", ".json", ".md", ".txt", ".html", ".yml"}:
            continue
        try:
            text = path.read_text(errors="ignore")
        except OSError:
            continue
        codes = set(cdt.findall(text))
        if len(codes) >= 3:
            offenders.append((str(path.relative_to(ROOT)), sorted(codes)[:5]))
    assert offenders == []


def test_entries_are_named_in_the_callers_notation(dentist, api, alpha):
    admin = api(alpha, "admin")
    assert admin.put("/api/chart/settings", {"default_notation": "universal"}).json()[
        "notation"
    ] == ("universal")
    patient = world_patient(alpha)
    entry = dentist.post(
        f"/api/patients/{patient.pk}/chart/entries",
        {"kind": "condition", "condition": "missing", "tooth": "18"},
    ).json()
    assert (entry["tooth"], entry["tooth_name"]) == (18, "1")
    mine = dentist.put("/api/chart/settings/mine", {"notation": "palmer"}).json()
    assert mine == {"default_notation": "universal", "notation": "palmer"}
    chart = dentist.get(f"/api/patients/{patient.pk}/chart").json()
    assert chart["entries"][0]["tooth_name"] == "UR8"
    assert api(alpha, "receptionist").get("/api/chart/settings").json()["notation"] == (
        "universal"
    )


def _chart_reads(client, path: str) -> tuple[int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    return len(queries), response.json()


def test_chart_query_count_is_the_same_for_3_and_300_entries(api, alpha):
    patient = world_patient(alpha)
    client = api(alpha, "dentist")
    path = f"/api/patients/{patient.pk}/chart"
    counts = []
    for entries in (3, 300):  # procedures and conditions from the first three
        with schema_context(alpha.schema_name):
            chart_seed(patient=patient, entries=entries)
        count, chart = _chart_reads(client, path)
        assert len(chart["entries"]) == entries
        counts.append(count)
    assert counts[0] == counts[1], counts


def _schema_twin(model, **nested):
    """The same fields as `model` (a plain pydantic model) on ninja's Schema:
    how the chart was answered before it became plain pydantic."""
    from ninja import Schema
    from pydantic import create_model

    fields = {
        name: (nested.get(name, field.annotation), ...)
        for name, field in model.model_fields.items()
    }
    return create_model(f"{model.__name__}Twin", __base__=Schema, **fields)


def test_chart_answer_is_what_ninja_schemas_answered(api, alpha):
    from ninja.responses import NinjaJSONEncoder

    from chairside.dental import services
    from chairside.dental.api import _chart_out
    from chairside.dental.schemas import ChartEntryOut, ChartOut, ToothStateOut
    from chairside.dental.teeth import tooth_name
    from conftest import world_user

    patient = world_patient(alpha)
    with schema_context(alpha.schema_name):
        chart_seed(patient=patient, entries=40)
    _count, answer = _chart_reads(
        api(alpha, "dentist"), f"/api/patients/{patient.pk}/chart"
    )
    twin = _schema_twin(
        ChartOut,
        entries=list[_schema_twin(ChartEntryOut)],
        teeth=list[_schema_twin(ToothStateOut)],
    )
    with schema_context(alpha.schema_name):
        chart = services.patient_chart(
            actor=world_user(alpha, "dentist"), patient=patient
        )
        before = twin.model_validate(_chart_out(chart)).model_dump()
    assert json.loads(json.dumps(before, cls=NinjaJSONEncoder)) == answer
    # Names from the precomputed table are tooth_name's.
    assert all(
        e["tooth_name"] == (tooth_name(e["tooth"], "fdi") if e["tooth"] else None)
        for e in answer["entries"]
    )


def test_import_refuses_a_missing_or_oversized_file(api, alpha):
    client = api(alpha, "admin")
    missing = client.client.post(
        "/api/procedure-codes/import", {}, **client._headers({})
    )
    assert missing.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert missing.json()["error"]["details"] == {"field": "file"}
    big = _upload(client, HEADER + "\n" + "X" * (2 * 1024 * 1024))
    assert big.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "error" in big.json()
