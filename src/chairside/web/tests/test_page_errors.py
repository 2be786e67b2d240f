"""Domain errors reach people one way on every page (web/errors.py), as
core/api.py does for the API."""

from __future__ import annotations

import ast
from http import HTTPStatus
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_tenants.utils import schema_context

from chairside.core.errors import Conflict, NotFound, PermissionDenied
from chairside.scheduling.models import Chair
from chairside.web.errors import (
    form_error_from,
    json_errors,
    message_refusal,
    page_errors,
)
from chairside.web.tests.factories import chair_make, patient_make

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]
VIEW_MODULES = sorted(
    [
        *ROOT.glob("src/chairside/*/views.py"),
        *ROOT.glob("src/chairside/*/views/*.py"),
        *ROOT.glob("tenants/**/views.py"),
    ]
)


def _hand_written_error_handling(path: Path) -> list[str]:
    """What web/errors.py does, done by hand: reading a domain error's
    details, building the JSON error envelope, or catching NotFound (to
    turn it into a 404)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "details":
            found.append(f"{path.name}:{node.lineno} reads .details")
        if isinstance(node, ast.Dict) and any(
            isinstance(key, ast.Constant) and key.value == "error" for key in node.keys
        ):
            found.append(f"{path.name}:{node.lineno} builds the error envelope")
        if isinstance(node, ast.ExceptHandler) and "NotFound" in ast.unparse(
            node.type or ast.Constant(None)
        ):
            found.append(f"{path.name}:{node.lineno} catches NotFound")
        flashes_exc = (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) == "messages.error"
            and any("exc" in ast.unparse(arg) for arg in node.args)
        )
        if flashes_exc:  # message_refusal does it and undoes the writes
            found.append(f"{path.name}:{node.lineno} flashes a refusal")
    return found


def test_no_view_maps_domain_errors_by_hand():
    names = {path.name for path in VIEW_MODULES}
    assert {"calendar.py", "patients.py", "views.py"} <= names
    found = [hit for path in VIEW_MODULES for hit in _hand_written_error_handling(path)]
    assert found == []


def test_the_check_sees_a_hand_written_copy(tmp_path):
    copy = tmp_path / "views.py"
    copy.write_text(
        "try:\n    pass\nexcept NotFound as exc:\n"
        "    field = exc.details\n    body = {'error': {'code': 1}}\n"
        "    messages.error(request, exc.message)\n"
    )
    assert len(_hand_written_error_handling(copy)) == 4


def test_a_domain_error_on_a_form_shows_next_to_its_field(web, alpha):
    response = web(alpha, "receptionist").post(
        "/app/patients/new/",
        {
            "first_name": "Ana",
            "last_name": "Root",
            "email": "ana@root.test",
            "date_of_birth": "2999-01-01",
        },
    )

    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'id="id_date_of_birth_error"' in page
    assert "The date of birth cannot be in the future." in page


@pytest.mark.parametrize(
    "path",
    [
        "/app/patients/999999/",
        "/app/patients/999999/edit/",
        "/app/invoices/999999/",
        "/app/appointments/999999/edit/",
        "/app/settings/dentists/999999/",
    ],
)
def test_a_missing_object_is_a_404_page(web, alpha, path):
    response = web(alpha, "admin").get(path)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("text/html")


def test_the_404_page_is_the_clinics_own_in_the_users_language(web, alpha):
    """Not Django's bare English "Not Found": the app's layout, translated."""
    client = web(alpha, "receptionist")
    client.post("/i18n/setlang/", {"language": "es", "next": "/app/"})

    page = client.get("/app/patients/99999999/").content.decode()

    assert "No encontrado" in page
    assert "Volver al inicio" in page
    assert "Cerrar sesión" in page  # the signed-in layout, not a bare page


def test_another_clinics_patient_is_a_404_page(web, alpha, beta):
    with schema_context(beta.schema_name):
        theirs = patient_make()

    response = web(alpha, "receptionist").get(f"/app/patients/{theirs.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_missing_invoice_in_the_portal_is_a_404_page(web, alpha):
    response = web(alpha, "patient").get("/portal/invoices/999999/")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_missing_appointment_of_a_json_endpoint_answers_the_envelope(web, alpha):
    response = web(alpha, "receptionist").post(
        "/app/appointments/999999/move/",
        {"start": "2030-01-01T10:00", "duration_minutes": 30},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["error"]["code"] == "not_found"
    assert set(response.json()["error"]) == {"code", "message", "details"}


def _raising(exc):
    @page_errors
    def view(request):
        raise exc

    return view


def test_permission_denied_is_the_forbidden_page(alpha):
    request = RequestFactory().get("/app/x/")
    response = _raising(PermissionDenied("Not yours."))(request)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Not yours." in response.content.decode()


def test_not_found_becomes_django_404(alpha):
    with pytest.raises(Http404):
        _raising(NotFound("No such thing."))(RequestFactory().get("/app/x/"))


def test_any_other_refusal_is_a_page_with_its_status_and_message(alpha):
    response = _raising(Conflict("Taken."))(RequestFactory().get("/app/x/"))
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Taken." in response.content.decode()


# A page that answers a refusal has written nothing, as the API's answers
# (core/api.py): each way a page turns a domain error into its answer undoes
# the request's writes, unless the error says they must stand.


def _writes_a_chair_then(answer):
    """A view that writes, then is refused, answered by `answer(request, exc)`."""

    def view(request):
        chair_make(name="Written before the refusal")
        try:
            raise Conflict("Taken.")
        except Conflict as exc:
            return answer(request, exc)

    return view


def _form_answer(request, exc):
    form = forms.Form({})
    form.is_valid()
    form_error_from(exc, form)
    return HttpResponse(str(form.non_field_errors()), status=HTTPStatus.BAD_REQUEST)


def _message_answer(request, exc):
    message_refusal(request, exc)
    return HttpResponse(status=HTTPStatus.FOUND)


def _uncaught(request, exc):
    raise exc


ANSWERS = {
    "page_errors": page_errors(_writes_a_chair_then(_uncaught)),
    "json_errors": json_errors(_writes_a_chair_then(_uncaught)),
    "form_error_from": page_errors(_writes_a_chair_then(_form_answer)),
    "message_refusal": page_errors(_writes_a_chair_then(_message_answer)),
}


def _in_request_transaction(view, request):
    """What ATOMIC_REQUESTS does around a view."""
    with transaction.atomic():
        return view(request)


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_a_page_that_answers_a_refusal_has_written_nothing(alpha, answer):
    request = RequestFactory().post("/app/x/")
    request._messages = CookieStorage(request)

    with schema_context(alpha.schema_name):
        response = _in_request_transaction(ANSWERS[answer], request)

        assert response.status_code >= HTTPStatus.FOUND
        assert not Chair.objects.filter(name="Written before the refusal").exists()


def test_the_page_showing_a_refusal_still_reads_the_database(alpha):
    """The writes are undone after the answer is rendered, not before."""

    def view(request):
        try:
            chair_make(name="Written before the refusal")
            raise Conflict("Taken.")
        except Conflict as exc:
            form_error_from(exc, forms.Form({}))
        return HttpResponse(str(Chair.objects.count()))

    with schema_context(alpha.schema_name):
        before = Chair.objects.count()
        response = _in_request_transaction(page_errors(view), RequestFactory().get("/"))

        assert response.content.decode() == str(before + 1)
        assert Chair.objects.count() == before


def test_a_refusal_shown_outside_page_errors_is_a_programming_error():
    with pytest.raises(RuntimeError, match="page_errors"):
        message_refusal(RequestFactory().get("/"), Conflict("Taken."))


def test_a_refusal_whose_writes_must_stand_keeps_them(alpha):
    @page_errors
    def view(request):
        chair_make(name="Kept")
        raise Conflict("Declined, and the attempt is recorded.", keeps_writes=True)

    with schema_context(alpha.schema_name):
        response = _in_request_transaction(view, RequestFactory().post("/app/x/"))

        assert response.status_code == HTTPStatus.CONFLICT
        assert Chair.objects.filter(name="Kept").exists()
