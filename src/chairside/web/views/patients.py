"""Staff patient pages: instant search, the patient's page, create and edit.

Reads and writes go through chairside.patients (selectors, services,
policies, the latter only to decide what to show: the services check who
may do what); showing a medical history is recorded in the audit trail by
patients.services.patient_medical_history_read, and only when it is shown.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from chairside.billing import selectors as billing_selectors
from chairside.core.errors import ChairsideError
from chairside.patients import policies as patient_policies
from chairside.patients import selectors as patient_selectors
from chairside.patients import services as patient_services
from chairside.payments import selectors as payment_selectors
from chairside.scheduling import selectors as scheduling_selectors
from chairside.web.decorators import staff_required
from chairside.web.errors import form_error_from
from chairside.web.forms import PatientForm

PAGE_SIZE = 50
FORM_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "address",
    "medical_history",
)


@staff_required
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    patients = patient_selectors.patient_list(user=request.user, q=query or None)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "patient_create_url": reverse("web:patient-create")
        if patient_policies.can_create_patient(request.user)
        else "",
    }
    # htmx asks for the results only, as the user types.
    template = "web/_patient_results.html" if request.htmx else "web/patient_list.html"
    return render(request, template, context)


@staff_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    appointments = (
        scheduling_selectors.appointment_list(
            user=request.user, patient_id=patient.pk, scope="all"
        )
        .select_related("dentist", "chair", "invoice")
        .order_by("-starts_at")[:50]
    )
    invoices = billing_selectors.invoice_list(
        user=request.user, patient_id=patient.pk
    ).prefetch_related(None)[:50]
    payments = payment_selectors.payment_list(
        user=request.user, patient_id=patient.pk
    ).select_related("invoice")[:50]
    return render(
        request,
        "web/patient_detail.html",
        {
            "patient": patient,
            "appointments": appointments,
            "invoices": invoices,
            "payments": payments,
            "can_read_history": patient_policies.can_read_medical_history(
                request.user, patient
            ),
        },
    )


@staff_required
def patient_history(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The medical history, shown on request; the read is audited."""
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    # The service refuses those who may not read it (the forbidden page).
    patient_services.patient_medical_history_read(actor=request.user, patient=patient)
    template = (
        "web/_medical_history.html" if request.htmx else "web/medical_history_page.html"
    )
    return render(request, template, {"patient": patient})


def _patient_form_page(request: HttpRequest, patient=None) -> HttpResponse:
    with_history = patient_policies.can_write_medical_history(request.user, patient)
    initial = {f: getattr(patient, f, "") for f in FORM_FIELDS} if patient else None
    if patient is not None and with_history:
        # Editing shows the history: that is a read.
        patient_services.patient_medical_history_read(
            actor=request.user, patient=patient
        )
    form = PatientForm(request.POST or None, initial=initial, with_history=with_history)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if patient is None:
                patient = patient_services.patient_create(actor=request.user, **data)
            else:
                # Only what the user changed: a field the form did not show,
                # or showed and got back untouched, keeps its stored value.
                patient = patient_services.patient_update(
                    actor=request.user,
                    patient=patient,
                    changes={name: data[name] for name in form.changed_data},
                )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Patient saved."))
            return HttpResponseRedirect(reverse("web:patient", args=[patient.pk]))
    return render(
        request,
        "web/patient_form.html",
        {"form": form, "patient": patient},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


@staff_required
def patient_create(request: HttpRequest) -> HttpResponse:
    return _patient_form_page(request)


@staff_required
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    return _patient_form_page(request, patient)
