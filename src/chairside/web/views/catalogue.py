"""The clinic's procedure catalogue, its CSV import, fee schedules, a
patient's schedule, and tooth notation (the clinic's default, a user's own).

Staff read all of it; dentists and admins change the catalogue; fees, fee
schedules and the clinic's notation are the admin's. Dental's services
decide and refuse; the policies here only choose what the page offers.
"""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chairside.core.errors import ChairsideError
from chairside.dental import catalogue as dental_catalogue
from chairside.dental import policies as dental_policies
from chairside.dental import selectors as dental_selectors
from chairside.dental import services as dental_services
from chairside.dental.catalogue_import import (
    HEADER,
    MAX_DURATION,
    procedure_codes_import,
)
from chairside.dental.models import NOTATION_CHOICES
from chairside.patients import selectors as patient_selectors
from chairside.web.decorators import staff_required
from chairside.web.dental_forms import (
    CatalogueImportForm,
    FeeScheduleForm,
    FeeTableForm,
    NotationForm,
    OwnNotationForm,
    PatientFeeScheduleForm,
    ProcedureCodeForm,
    code_initial,
)
from chairside.web.errors import (
    error_rows,
    forbidden,
    form_error_from,
    message_refusal,
)

PAGE_SIZE = 50
ACTIVE_FILTERS = {"active": True, "inactive": False}
# The example file of the import page: home-made codes, never a licensed set.
EXAMPLE_ROWS = [
    ("EXAM", "Periodic exam", "", "diagnostic", "mouth", "20", "45.00", "no", "yes",
     "yes"),
    ("COMP-1S", "Composite, one surface", "Tooth-coloured filling", "restorative",
     "surface", "30", "120.00", "no", "no", "yes"),
    ("CROWN", "Crown", "Full ceramic crown", "prosthodontic", "tooth", "60",
     "950.00", "no", "no", "yes"),
    ("SCALE-Q", "Scaling, one quadrant", "", "periodontic", "quadrant", "45",
     "140.00", "yes", "no", "yes"),
]  # fmt: skip


def _status(form) -> HTTPStatus:
    return HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK


# --- the catalogue ------------------------------------------------------------


@staff_required
@require_GET
def code_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    shown = request.GET.get("active", "active")
    codes = dental_selectors.procedure_code_list(
        user=request.user, q=query or None, active=ACTIVE_FILTERS.get(shown)
    )
    page = Paginator(codes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "shown": shown if shown in ACTIVE_FILTERS else "all",
        "filters": [
            ("active", _("Active")),
            ("inactive", _("Inactive")),
            ("all", _("All")),
        ],
        "can_manage": dental_policies.can_manage_catalogue(request.user),
        "currency": request.tenant.currency,
    }
    template = (
        "web/catalogue/_code_results.html"
        if request.htmx
        else "web/catalogue/list.html"
    )
    return render(request, template, context)


@staff_required
def code_edit(request: HttpRequest, code_id: int | None = None) -> HttpResponse:
    code = (
        dental_selectors.procedure_code_get(user=request.user, code_id=code_id)
        if code_id is not None
        else None
    )
    can_manage = dental_policies.can_manage_catalogue(request.user)
    if code is None and not can_manage:
        return forbidden(request)
    form = ProcedureCodeForm(
        request.POST if request.method == "POST" else None,
        initial=code_initial(code) if code else None,
        can_set_fee=dental_policies.can_change_fees(request.user),
    )
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if code is None:
                code = dental_catalogue.procedure_code_create(
                    actor=request.user, **data
                )
            else:
                # Only what the person changed: a value the form shows
                # untouched (or disabled) keeps what is stored.
                code = dental_catalogue.procedure_code_update(
                    actor=request.user,
                    procedure_code=code,
                    changes={name: data[name] for name in form.changed_data},
                )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Code %(code)s saved.") % {"code": code.code})
            return HttpResponseRedirect(reverse("web:catalogue"))
    return render(
        request,
        "web/catalogue/code_form.html",
        {"form": form, "code": code, "can_manage": can_manage},
        status=_status(form),
    )


@staff_required
@require_POST
def code_set_active(request: HttpRequest, code_id: int) -> HttpResponse:
    """Deactivate (or reactivate) a code: codes are never deleted, so a
    charted one keeps its history."""
    code = dental_selectors.procedure_code_get(user=request.user, code_id=code_id)
    active = request.POST.get("active") == "1"
    try:
        dental_catalogue.procedure_code_update(
            actor=request.user, procedure_code=code, changes={"is_active": active}
        )
    except ChairsideError as exc:
        message_refusal(request, exc)
    else:
        messages.success(
            request,
            (_("%(code)s is active again.") if active else _("%(code)s deactivated."))
            % {"code": code.code},
        )
    return HttpResponseRedirect(reverse("web:catalogue-code", args=[code.pk]))


@staff_required
def code_import(request: HttpRequest) -> HttpResponse:
    form = CatalogueImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    result = None
    row_errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = procedure_codes_import(
                actor=request.user, content=form.cleaned_data["file"].read()
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
            row_errors = error_rows(exc)
    return render(
        request,
        "web/catalogue/import.html",
        {
            "form": form,
            "result": result,
            "row_errors": row_errors,
            "header": ",".join(HEADER),
            "max_duration": MAX_DURATION,
            "can_manage": dental_policies.can_manage_catalogue(request.user),
        },
        status=_status(form),
    )


@staff_required
@require_GET
def code_import_example(request: HttpRequest) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(EXAMPLE_ROWS)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="catalogue-example.csv"'
    return response


# --- fee schedules ---------------------------------------------------------------


@staff_required
def fee_schedule_list(request: HttpRequest) -> HttpResponse:
    can_change = dental_policies.can_change_fees(request.user)
    form = FeeScheduleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = dental_catalogue.fee_schedule_create(
                actor=request.user, **form.cleaned_data
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(
                request, _("Fee schedule %(name)s created.") % {"name": schedule.name}
            )
            return HttpResponseRedirect(reverse("web:fee-schedule", args=[schedule.pk]))
    schedules = dental_selectors.fee_schedule_list(user=request.user).prefetch_related(
        None
    )
    return render(
        request,
        "web/catalogue/fee_schedules.html",
        {"form": form, "schedules": schedules, "can_change": can_change},
        status=_status(form),
    )


@staff_required
def fee_schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = dental_selectors.fee_schedule_get(
        user=request.user, schedule_id=schedule_id
    )
    can_change = dental_policies.can_change_fees(request.user)
    codes = dental_selectors.procedure_code_list(user=request.user)
    form = FeeTableForm(
        request.POST if request.method == "POST" else None,
        codes=codes,
        fees={f.code_id: f.fee for f in schedule.fees.all()},
    )
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            dental_catalogue.fee_schedule_set_fees(
                actor=request.user, schedule=schedule, fees=form.changed_fees()
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Fees saved."))
            return HttpResponseRedirect(reverse("web:fee-schedule", args=[schedule.pk]))
    return render(
        request,
        "web/catalogue/fee_schedule_form.html",
        {"form": form, "schedule": schedule, "can_change": can_change},
        status=_status(form),
    )


@staff_required
def patient_fee_schedule(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's schedule, and (admins) the small form that changes it.
    The patient's page loads it in place (htmx)."""
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    current = dental_selectors.patient_fee_schedule(patient=patient)
    can_change = dental_policies.can_change_fees(request.user)
    schedules = (
        list(
            dental_selectors.fee_schedule_list(user=request.user).prefetch_related(None)
        )
        if can_change
        else []
    )
    form = PatientFeeScheduleForm(
        request.POST if request.method == "POST" else None,
        schedules=schedules,
        initial={"schedule": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["schedule"]
        try:
            dental_catalogue.patient_fee_schedule_set(
                actor=request.user,
                patient=patient,
                schedule=dental_selectors.fee_schedule_get(
                    user=request.user, schedule_id=chosen
                )
                if chosen
                else None,
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Fee schedule saved."))
            return HttpResponseRedirect(reverse("web:patient", args=[patient.pk]))
    template = (
        "web/catalogue/_patient_fee_schedule.html"
        if request.htmx
        else "web/catalogue/patient_fee_schedule.html"
    )
    return render(
        request,
        template,
        {
            "patient": patient,
            "current": current,
            "form": form,
            "can_change": can_change,
        },
        status=_status(form),
    )


# --- notation ------------------------------------------------------------------


@staff_required
def notation_settings(request: HttpRequest) -> HttpResponse:
    """The clinic's default notation (admins) and everyone's own."""
    clinic_default = dental_selectors.clinic_notation()
    mine = dental_selectors.notation_for(user=request.user)
    can_change_clinic = dental_policies.can_change_chart_settings(request.user)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("which") if posted else None
    clinic_form = NotationForm(
        posted if which == "clinic" else None,
        initial={"notation": clinic_default.value},
        prefix="clinic",
    )
    own_form = OwnNotationForm(
        posted if which == "own" else None,
        initial={"notation": mine.value if mine != clinic_default else ""},
        prefix="own",
    )
    form = clinic_form if which == "clinic" else own_form
    if posted and form.is_valid():
        notation = form.cleaned_data["notation"] or None
        try:
            if which == "clinic":
                dental_services.chart_settings_set(
                    actor=request.user, default_notation=notation
                )
            else:
                dental_services.notation_preference_set(
                    actor=request.user, notation=notation
                )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Tooth notation saved."))
            return HttpResponseRedirect(reverse("web:settings-notation"))
    return render(
        request,
        "web/catalogue/notation.html",
        {
            "clinic_form": clinic_form,
            "own_form": own_form,
            "can_change_clinic": can_change_clinic,
            "clinic_default": dict(NOTATION_CHOICES)[clinic_default.value],
        },
        status=_status(form) if posted else HTTPStatus.OK,
    )
