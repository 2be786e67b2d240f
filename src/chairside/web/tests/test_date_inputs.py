"""Date and time inputs render the ISO value their HTML type requires, in
every language, and a form posted back unchanged keeps every stored value."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime
from http import HTTPStatus

import pytest
from django import forms
from django.utils import translation
from django_tenants.utils import schema_context

import chairside
import tenants
from chairside.core import widgets
from chairside.patients.models import Patient
from chairside.web.tests.browser import in_spanish, posted_back
from chairside.web.tests.factories import patient_make

TEMPORAL = (forms.DateField, forms.TimeField, forms.DateTimeField)
OURS = (
    widgets.DateInput,
    widgets.TimeInput,
    widgets.DateTimeLocalInput,
    widgets.HiddenDateTimeInput,
)


def _project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class of the project: import each `forms` module of every
    package, then walk the subclasses of Django's base form."""
    for package in (chairside, tenants):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.rsplit(".", 1)[-1] == "forms":
                importlib.import_module(info.name)
    seen: list[type[forms.BaseForm]] = []
    stack = [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith(("chairside.", "tenants.")):
                seen.append(sub)
    return seen


def test_every_date_and_time_field_uses_an_iso_widget():
    classes = _project_form_classes()
    names = {cls.__name__ for cls in classes}
    # The walk must reach the forms of every adapter, or it proves nothing.
    assert {"PatientForm", "ProfileForm", "ShiftForm", "ClinicSignupForm"} <= names
    wrong = [
        f"{cls.__module__}.{cls.__name__}.{name}: {type(field.widget).__name__}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, TEMPORAL) and not isinstance(field.widget, OURS)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("widget", "value", "expected"),
    [
        (widgets.DateInput(), date(1969, 9, 16), 'value="1969-09-16"'),
        (widgets.TimeInput(), "08:30", 'value="08:30"'),
        (
            widgets.DateTimeLocalInput(),
            datetime(2026, 3, 1, 8, 5, tzinfo=UTC),
            'value="2026-03-01T08:05"',
        ),
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_widgets_render_iso_in_every_language(widget, value, expected, language):
    with translation.override(language):
        assert expected in widget.render("x", value)


@pytest.mark.django_db
def test_patient_edit_form_in_spanish_shows_the_stored_date_of_birth(web, alpha):
    in_spanish(alpha, "receptionist")
    with schema_context(alpha.schema_name):
        patient = patient_make(date_of_birth=date(1969, 9, 16))
    client = web(alpha, "receptionist")

    page = client.get(f"/app/patients/{patient.pk}/edit/").content.decode()

    assert '<html lang="es">' in page
    assert 'value="1969-09-16"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("local", ["receptionist", "dentist"])
def test_patient_edit_in_spanish_posted_back_unchanged_keeps_everything(
    web, alpha, local
):
    in_spanish(alpha, local)
    with schema_context(alpha.schema_name):
        patient = patient_make(
            date_of_birth=date(1969, 9, 16),
            phone="+34 600 000 000",
            address="Calle Mayor 1",
            medical_history="Penicilina",
        )
    client = web(alpha, local)
    url = f"/app/patients/{patient.pk}/edit/"

    response = client.post(url, posted_back(client.get(url).content.decode()))

    assert response.status_code == HTTPStatus.FOUND
    with schema_context(alpha.schema_name):
        patient = Patient.objects.get(pk=patient.pk)
    assert patient.date_of_birth == date(1969, 9, 16)
    assert patient.phone == "+34 600 000 000"
    assert patient.address == "Calle Mayor 1"
    # The receptionist's form has no history field; it must not blank it.
    assert patient.medical_history == "Penicilina"
