"""Staff pages for treatment plans: a patient's plans, the plan page
(phases, items, totals; add and remove while a draft; present, revise, the
estimate PDF, book a phase), signing on the clinic's tablet, and a visit's
completion and invoice. Every write goes through the treatment (or
billing) services with the signed-in user as the actor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chairside.billing import visits as billing_visits
from chairside.core.clinic_time import as_clinic_time
from chairside.core.errors import ChairsideError
from chairside.core.net import client_ip
from chairside.core.widgets import DateTimeLocalInput
from chairside.dental import selectors as dental_selectors
from chairside.dental.models import ProcedureCode
from chairside.patients import selectors as patient_selectors
from chairside.scheduling.models import Dentist
from chairside.treatment import estimate, policies, selectors, services
from chairside.treatment.models import ACCEPTED_STATUSES, PlanStatus, TreatmentPlan
from chairside.web.decorators import staff_required
from chairside.web.errors import form_error_from, message_refusal


class PlanItemForm(forms.Form):
    procedure_code = forms.ModelChoiceField(
        label=gettext_lazy("Procedure"),
        queryset=ProcedureCode.objects.none(),
        to_field_name="code",
    )
    tooth = forms.CharField(label=gettext_lazy("Tooth"), required=False, max_length=8)
    surfaces = forms.CharField(
        label=gettext_lazy("Surfaces"), required=False, max_length=6
    )
    phase = forms.IntegerField(
        label=gettext_lazy("Phase"), min_value=1, max_value=20, initial=1
    )
    alternative = forms.CharField(
        label=gettext_lazy("Alternative (A, B… or empty)"),
        required=False,
        max_length=1,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure_code"].queryset = ProcedureCode.objects.filter(
            is_active=True
        ).order_by("code")


class PhaseBookForm(forms.Form):
    dentist = forms.ModelChoiceField(
        label=gettext_lazy("Dentist"), queryset=Dentist.objects.none()
    )
    start = forms.DateTimeField(
        label=gettext_lazy("Start"),
        widget=DateTimeLocalInput(),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dentist"].queryset = Dentist.objects.filter(is_active=True)


def _plan_url(plan_id: int) -> str:
    return reverse("web:treatment-plan", args=[plan_id])


@staff_required
def plan_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get(user=request.user, patient_id=patient_id)
    plans = selectors.plan_list_for_patient(user=request.user, patient_id=patient.pk)
    return render(
        request,
        "web/treatment/plan_list.html",
        {
            "patient": patient,
            "plans": plans[:100],
            "can_plan": policies.can_plan(request.user),
        },
    )


@staff_required
@require_POST
def plan_create(request: HttpRequest, patient_id: int) -> HttpResponse:
    try:
        plan = services.plan_create(actor=request.user, patient_id=patient_id)
    except ChairsideError as exc:
        message_refusal(request, exc)
        return HttpResponseRedirect(reverse("web:treatment-plans", args=[patient_id]))
    return HttpResponseRedirect(_plan_url(plan.pk))


def _plan_context(request: HttpRequest, plan_id: int, **extra: object) -> dict:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    detail = selectors.plan_detail(plan=plan)
    phases = selectors.plan_phases(detail)
    accepted = plan.status in ACCEPTED_STATUSES
    for phase in phases:
        items = phase["items"]
        # What booking the phase would take: accepted, still planned, unbooked.
        phase["to_book"] = [
            i
            for i in items
            if i["accepted"]
            and i["entry_status"] == "planned"
            and not i["appointment_id"]
        ]
        phase["visits"] = sorted(
            {i["appointment_id"] for i in items if i["appointment_id"]}
        )
        phase["to_complete"] = [
            i for i in items if i["appointment_id"] and i["entry_status"] == "planned"
        ]
    return {
        "plan": plan,
        "detail": detail,
        "phases": phases,
        "patient": plan.patient,
        "is_draft": plan.status == PlanStatus.DRAFT,
        "can_plan": policies.can_plan(request.user),
        "can_book": accepted and policies.can_book_phase(request.user),
        "can_complete": policies.can_complete(request.user),
        "item_form": extra.pop("item_form", None) or PlanItemForm(),
        "book_form": PhaseBookForm(),
        **extra,
    }


@staff_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render(
        request, "web/treatment/plan_detail.html", _plan_context(request, plan_id)
    )


@staff_required
@require_POST
def plan_item_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    form = PlanItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_item_add(
                actor=request.user,
                plan_id=plan_id,
                procedure_code=data["procedure_code"].pk,
                tooth=data["tooth"] or None,
                surfaces=data["surfaces"].upper(),
                phase=data["phase"],
                alternative=data["alternative"],
                notation=dental_selectors.clinic_notation(),
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            return HttpResponseRedirect(_plan_url(plan_id))
    return render(
        request,
        "web/treatment/plan_detail.html",
        _plan_context(request, plan_id, item_form=form),
        status=400,
    )


def _act(request: HttpRequest, plan_id: int, action, message: str) -> HttpResponse:
    try:
        result = action()
    except ChairsideError as exc:
        message_refusal(request, exc)
        return HttpResponseRedirect(_plan_url(plan_id))
    messages.success(request, message)
    # A revision answers the new version: go there.
    if isinstance(result, TreatmentPlan):
        return HttpResponseRedirect(_plan_url(result.pk))
    return HttpResponseRedirect(_plan_url(plan_id))


@staff_required
@require_POST
def plan_item_remove(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    return _act(
        request,
        plan_id,
        lambda: services.plan_item_remove(
            actor=request.user, plan_id=plan_id, item_id=item_id
        ),
        _("The procedure is out of the plan (it stays planned on the chart)."),
    )


@staff_required
@require_POST
def plan_present(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _act(
        request,
        plan_id,
        lambda: services.plan_present(actor=request.user, plan_id=plan_id),
        _("The plan is presented; the patient can review and sign it."),
    )


@staff_required
@require_POST
def plan_revise(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _act(
        request,
        plan_id,
        lambda: services.plan_revise(actor=request.user, plan_id=plan_id),
        _("A new version of the plan is ready to edit."),
    )


@staff_required
def plan_sign(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The tablet: the patient reviews and signs, staff hold the device."""
    context = _plan_context(request, plan_id)
    if request.method == "POST":
        try:
            services.plan_accept(
                actor=request.user,
                plan_id=plan_id,
                snapshot_hash=request.POST.get("snapshot_hash", ""),
                item_ids=_chosen_items(request),
                alternative=request.POST.get("alternative", ""),
                signature=request.POST.get("signature", ""),
                signer_name=request.POST.get("signer_name", ""),
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ChairsideError as exc:
            message_refusal(request, exc)
            return HttpResponseRedirect(
                reverse("web:treatment-plan-sign", args=[plan_id])
            )
        return HttpResponseRedirect(_plan_url(plan_id))
    return render(request, "web/treatment/plan_sign.html", context)


def _chosen_items(request: HttpRequest) -> list[int] | None:
    """The ticked items, or None (the whole plan) when the form says so."""
    if request.POST.get("scope", "all") == "all":
        return None
    return [int(v) for v in request.POST.getlist("item_ids") if v.isdigit()]


@staff_required
@require_POST
def plan_phase_book(request: HttpRequest, plan_id: int, phase: int) -> HttpResponse:
    form = PhaseBookForm(request.POST)
    if not form.is_valid():
        message_refusal(
            request,
            ChairsideError(_("Choose a dentist and a start time to book the phase.")),
        )
        return HttpResponseRedirect(_plan_url(plan_id))
    return _act(
        request,
        plan_id,
        lambda: services.plan_phase_book(
            actor=request.user,
            plan_id=plan_id,
            phase=phase,
            dentist_id=form.cleaned_data["dentist"].pk,
            start=as_clinic_time(form.cleaned_data["start"].replace(tzinfo=None)),
        ),
        _("Phase %(phase)s is booked.") % {"phase": phase},
    )


@staff_required
@require_POST
def visit_complete(
    request: HttpRequest, plan_id: int, appointment_id: int
) -> HttpResponse:
    return _act(
        request,
        plan_id,
        lambda: services.visit_procedures_complete(
            actor=request.user, appointment_id=appointment_id
        ),
        _("The visit's procedures are completed."),
    )


@staff_required
@require_POST
def visit_invoice(
    request: HttpRequest, plan_id: int, appointment_id: int
) -> HttpResponse:
    try:
        invoice = billing_visits.invoice_for_visit(
            actor=request.user, appointment_id=appointment_id
        )
    except ChairsideError as exc:
        message_refusal(request, exc)
        return HttpResponseRedirect(_plan_url(plan_id))
    return HttpResponseRedirect(reverse("web:invoice", args=[invoice.pk]))


@staff_required
def plan_estimate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    return estimate.estimate_response(plan=plan, clinic=request.tenant)
