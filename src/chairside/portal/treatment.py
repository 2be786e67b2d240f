"""The patient's treatment plans in the portal: the plans presented to
them, each to review, sign (a drawn signature, or a typed name) or decline,
and its estimate PDF. The treatment selectors narrow to the patient's own
presented plans (another patient's, or a draft: not found); the services
check the hash of the snapshot the page showed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.core.errors import ChairsideError
from chairside.core.net import client_ip
from chairside.portal.current import current_patient
from chairside.treatment import estimate, selectors, services
from chairside.web.decorators import patient_required
from chairside.web.errors import message_refusal


@patient_required
def plans(request: HttpRequest) -> HttpResponse:
    patient = current_patient(request)
    return render(
        request,
        "portal/treatment_plans.html",
        {
            "plans": selectors.plan_list_for_patient(
                user=request.user, patient_id=patient.pk
            )[:50]
        },
    )


@patient_required
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_get(user=request.user, plan_id=plan_id)
    detail = selectors.plan_detail(plan=found)
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("item_ids") if v.isdigit()]
        try:
            services.plan_accept(
                actor=request.user,
                plan_id=plan_id,
                snapshot_hash=request.POST.get("snapshot_hash", ""),
                item_ids=chosen,
                alternative=request.POST.get("alternative", ""),
                signature=request.POST.get("signature", ""),
                signer_name=request.POST.get("signer_name", ""),
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ChairsideError as exc:
            message_refusal(request, exc)
        else:
            messages.success(request, _("Thank you: your treatment plan is signed."))
        return HttpResponseRedirect(reverse("portal:treatment-plan", args=[plan_id]))
    return render(
        request,
        "portal/treatment_plan.html",
        {
            "plan": found,
            "detail": detail,
            "phases": selectors.plan_phases(detail),
            "can_sign": found.status == "presented",
        },
    )


@patient_required
@require_POST
def plan_decline(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        services.plan_decline(
            actor=request.user,
            plan_id=plan_id,
            snapshot_hash=request.POST.get("snapshot_hash", ""),
        )
    except ChairsideError as exc:
        message_refusal(request, exc)
    else:
        messages.success(
            request, _("You declined this plan; the clinic will be in touch.")
        )
    return HttpResponseRedirect(reverse("portal:treatment-plan", args=[plan_id]))


@patient_required
def plan_estimate(request: HttpRequest, plan_id: int) -> HttpResponse:
    found = selectors.plan_get(user=request.user, plan_id=plan_id)
    return estimate.estimate_response(plan=found, clinic=request.tenant)
