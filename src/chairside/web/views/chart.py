"""The patient's chart: the odontogram, the form that charts an entry and
the entries list, redrawn in place (htmx) after every change.

Reading the chart goes through dental's `services.patient_chart`, which
records the read in the audit trail; writes through its services, which
check who may chart. The policies here only decide what to show.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chairside.core.clinic_time import clinic_today
from chairside.core.errors import ChairsideError, NotFound
from chairside.dental import policies as dental_policies
from chairside.dental import selectors as dental_selectors
from chairside.dental import services as dental_services
from chairside.dental.models import EntryKind, EntryStatus
from chairside.dental.surfaces import display_surfaces
from chairside.dental.teeth import Notation, tooth_name
from chairside.patients import selectors as patient_selectors
from chairside.web import queries
from chairside.web.decorators import staff_required
from chairside.web.dental_forms import ChartEntryForm
from chairside.web.errors import form_error_from, message_refusal
from chairside.web.odontogram import Dentitions, default_dentition, odontogram

CODE_RESULTS = 12
QUADRANT_NAMES = {1: "UR", 2: "UL", 3: "LL", 4: "LR"}
NOTATION_LABELS = {
    Notation.FDI: "FDI",
    Notation.UNIVERSAL: "Universal",
    Notation.PALMER: "Palmer",
}


def _place(entry, notation) -> str:
    """Where an entry sits, as the reader names it."""
    if entry.tooth is not None:
        name = tooth_name(entry.tooth, notation)
        if entry.tooth_to is not None:
            name += "\N{EN DASH}" + tooth_name(entry.tooth_to, notation)
        return name + (" " + _("(supernumerary)") if entry.supernumerary else "")
    if entry.quadrant is not None:
        return _("Quadrant %(q)s") % {"q": QUADRANT_NAMES[entry.quadrant]}
    if entry.sextant is not None:
        return _("Sextant %(s)s") % {"s": entry.sextant}
    if entry.arch is not None:
        return _("Upper arch") if entry.arch == 1 else _("Lower arch")
    return _("Whole mouth")


def _rows(chart, dentists: dict, *, can_write: bool) -> list[dict]:
    rows = []
    for entry in reversed(chart.entries):  # newest first
        code = entry.procedure_code
        urls = (
            {
                "complete_url": reverse(
                    "web:chart-entry-complete", args=[chart.patient.pk, entry.pk]
                ),
                "invalidate_url": reverse(
                    "web:chart-entry-invalidate", args=[chart.patient.pk, entry.pk]
                ),
            }
            if can_write
            else {}
        )
        rows.append(
            {
                "entry": entry,
                "date": entry.performed_on or entry.created_at.date(),
                "place": _place(entry, chart.notation),
                "surfaces": display_surfaces(entry.tooth, entry.surfaces)
                if entry.tooth is not None
                else "",
                "code": code.code if code else "",
                "description": code.short_description
                if code
                else entry.condition_type.name,
                "dentist": dentists.get(entry.dentist_id),
                "invalidated": entry.status == EntryStatus.INVALIDATED,
                "can_complete": can_write
                and entry.kind == EntryKind.PROCEDURE
                and entry.status == EntryStatus.PLANNED,
                "can_invalidate": can_write and entry.status != EntryStatus.INVALIDATED,
                **urls,
            }
        )
    return rows


def _dentition(request: HttpRequest, patient) -> Dentitions:
    asked = request.GET.get("dentition") or request.POST.get("dentition")
    if asked in Dentitions.__members__.values():
        return Dentitions(asked)
    return default_dentition(patient.date_of_birth, clinic_today())


def _render_chart(
    request: HttpRequest,
    patient,
    *,
    form: ChartEntryForm | None = None,
    saved: str = "",
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    chart = dental_services.patient_chart(actor=request.user, patient=patient)
    can_write = dental_policies.can_write_chart(request.user)
    conditions = queries.condition_types_active()
    if form is None:
        form = ChartEntryForm(
            notation=chart.notation,
            conditions=conditions,
            search_url=reverse("web:chart-code-search"),
        )
    dentition = _dentition(request, patient)
    context = {
        "patient": patient,
        "chart": chart,
        "drawing": odontogram(chart, dentition=dentition),
        "dentitions": [
            (Dentitions.PERMANENT, _("Permanent")),
            (Dentitions.MIXED, _("Mixed")),
            (Dentitions.PRIMARY, _("Primary")),
        ],
        "rows": _rows(
            chart,
            queries.dentists_by_id({e.dentist_id for e in chart.entries}),
            can_write=can_write,
        ),
        "has_invalidated": any(
            e.status == EntryStatus.INVALIDATED for e in chart.entries
        ),
        "can_write": can_write,
        "form": form,
        "saved": saved,
        "currency": request.tenant.currency,
        "notation_label": NOTATION_LABELS[chart.notation],
        "conditions": conditions,
    }
    template = "web/chart/_area.html" if request.htmx else "web/chart/page.html"
    return render(request, template, context, status=status)


def _patient(request: HttpRequest, patient_id: int):
    return patient_selectors.patient_get(user=request.user, patient_id=patient_id)


@staff_required
@require_GET
def chart_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _render_chart(request, _patient(request, patient_id))


def _after_write(request: HttpRequest, patient, saved: str) -> HttpResponse:
    if request.htmx:
        return _render_chart(request, patient, saved=saved)
    url = reverse("web:patient-chart", args=[patient.pk])
    dentition = request.POST.get("dentition")
    return HttpResponseRedirect(f"{url}?dentition={dentition}" if dentition else url)


@staff_required
@require_POST
def chart_entry_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    notation = dental_selectors.notation_for(user=request.user)
    form = ChartEntryForm(
        request.POST,
        notation=notation,
        conditions=queries.condition_types_active(),
        search_url=reverse("web:chart-code-search"),
    )
    if form.is_valid():
        try:
            dental_services.chart_entry_create(
                actor=request.user, patient=patient, **form.service_arguments()
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            return _after_write(request, patient, _("Saved to the chart."))
    # htmx swaps a 400 in too (chart.js): the form shows its errors in place.
    return _render_chart(request, patient, form=form, status=HTTPStatus.BAD_REQUEST)


def _entry(request: HttpRequest, patient, entry_id: int):
    entry = dental_selectors.chart_entry_get(user=request.user, entry_id=entry_id)
    if entry.patient_id != patient.pk:
        raise NotFound(_("No such chart entry."))
    return entry


@staff_required
@require_POST
def chart_entry_complete(
    request: HttpRequest, patient_id: int, entry_id: int
) -> HttpResponse:
    patient = _patient(request, patient_id)
    entry = _entry(request, patient, entry_id)
    try:
        dental_services.chart_entry_complete(actor=request.user, entry=entry)
    except ChairsideError as exc:
        message_refusal(request, exc)
        return _after_write(request, patient, "")
    return _after_write(request, patient, _("Marked completed."))


@staff_required
@require_POST
def chart_entry_invalidate(
    request: HttpRequest, patient_id: int, entry_id: int
) -> HttpResponse:
    patient = _patient(request, patient_id)
    entry = _entry(request, patient, entry_id)
    try:
        # The service refuses an empty reason (and says so).
        dental_services.chart_entry_invalidate(
            actor=request.user, entry=entry, reason=request.POST.get("reason", "")
        )
    except ChairsideError as exc:
        message_refusal(request, exc)
        return _after_write(request, patient, "")
    return _after_write(
        request, patient, _("Entry invalidated; it stays in the history.")
    )


@staff_required
@require_GET
def code_search(request: HttpRequest) -> HttpResponse:
    """The type-ahead's options: active codes whose code starts with, or
    whose description contains, what was typed."""
    query = request.GET.get("code_query", request.GET.get("q", "")).strip()
    codes = (
        list(
            dental_selectors.procedure_code_list(
                user=request.user, q=query, active=True
            )[:CODE_RESULTS]
        )
        if query
        else []
    )
    return render(
        request,
        "web/chart/_code_options.html",
        {"codes": codes, "q": query, "currency": request.tenant.currency},
    )
