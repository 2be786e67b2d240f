"""The patient portal: a patient sees and changes only their own records.

Every read goes through the owning app's selectors with the patient as the
user (they narrow to the patient's own rows), every write through its
services with the patient as the actor.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.billing import selectors as billing_selectors
from chairside.core.clinic_time import as_clinic_time, clinic_today, clinic_tz
from chairside.core.errors import ChairsideError
from chairside.patients import selectors as patient_selectors
from chairside.patients import services as patient_services
from chairside.payments import gateway
from chairside.payments import policies as payment_policies
from chairside.payments import selectors as payment_selectors
from chairside.payments.checkout import card_checkout_start
from chairside.payments.reconcile import payment_refresh_from_stripe
from chairside.portal.current import current_patient
from chairside.portal.forms import ProfileForm, SlotChoiceForm, SlotSearchForm
from chairside.scheduling import appointments as scheduling_services
from chairside.scheduling import rules
from chairside.scheduling import selectors as scheduling_selectors
from chairside.web.decorators import patient_required
from chairside.web.errors import form_error_from, json_errors, message_refusal

BOOKING_DAYS = 7
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "date_of_birth",
    "address",
    "medical_history",
)


def _appointment(request: HttpRequest, appointment_id: int):
    return scheduling_selectors.appointment_get(
        user=request.user, appointment_id=appointment_id
    )


@patient_required
def home(request: HttpRequest) -> HttpResponse:
    patient = patient_selectors.patient_for_user(user=request.user)
    now = timezone.now()
    online_rules = scheduling_selectors.scheduling_settings_read(user=request.user)
    appointments = list(
        scheduling_selectors.appointment_list(user=request.user)
        .select_related("dentist")
        .order_by("starts_at")
    )
    # Each visit's buttons: what scheduling allows this patient now.
    upcoming = [
        (
            a,
            scheduling_selectors.appointment_allowed_actions(
                actor=request.user, appointment=a, now=now, rules=online_rules
            ),
        )
        for a in appointments
        if a.starts_at >= now and a.status not in ("cancelled", "no_show")
    ]
    past = [a for a in appointments if a.starts_at < now][::-1][:20]
    return render(
        request,
        "portal/home.html",
        {
            "patient": patient,
            "upcoming": upcoming,
            "past": past,
            "window": online_rules.cancellation_window_hours,
        },
    )


@patient_required
def profile(request: HttpRequest) -> HttpResponse:
    patient = current_patient(request)
    initial = {f: getattr(patient, f) or "" for f in PROFILE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # Only what the patient changed: an untouched field keeps its value.
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            patient_services.patient_update(
                actor=request.user, patient=patient, changes=changes
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Your details are saved."))
            return HttpResponseRedirect(reverse("portal:profile"))
    return render(
        request,
        "portal/profile.html",
        {"form": form},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


def _slots(request: HttpRequest, search: SlotSearchForm) -> list:
    data = search.cleaned_data if search.is_valid() else {}
    first_day = max(data.get("date") or clinic_today(), clinic_today())
    dentist = data.get("dentist")
    return scheduling_selectors.availability(
        user=request.user,
        start=as_clinic_time(first_day),
        end=as_clinic_time(
            first_day + timedelta(days=BOOKING_DAYS - 1), end_of_day=True
        ),
        duration_minutes=rules.DEFAULT_DURATION_MINUTES,
        dentist_id=int(dentist) if dentist else None,
    )


@patient_required
def book(request: HttpRequest, appointment_id: int | None = None) -> HttpResponse:
    """Free slots of the next week (one dentist or any); choosing one books it,
    or, with an appointment, moves that appointment there. Whether it may
    be moved (the cancellation window) is the service's answer."""
    current_patient(request)
    moving = _appointment(request, appointment_id) if appointment_id else None
    dentists = scheduling_selectors.dentist_list(user=request.user)
    search = SlotSearchForm(request.GET or None, dentists=dentists)
    choice = SlotChoiceForm(request.POST or None)
    if request.method == "POST" and choice.is_valid():
        data = choice.cleaned_data
        try:
            if moving is None:
                scheduling_services.appointment_book(
                    actor=request.user,
                    patient_id=None,
                    dentist_id=data["dentist"],
                    start=data["start"],
                    duration_minutes=rules.DEFAULT_DURATION_MINUTES,
                    reason=data["reason"],
                )
            else:
                scheduling_services.appointment_update(
                    actor=request.user,
                    appointment=moving,
                    changes={"starts_at": data["start"], "dentist_id": data["dentist"]},
                )
        except ChairsideError as exc:
            message_refusal(request, exc)
        else:
            messages.success(
                request,
                _("Your visit is booked.")
                if moving is None
                else _("Your visit is moved."),
            )
            return HttpResponseRedirect(reverse("portal:home"))
    slots = _slots(request, search)
    names = {d.pk: str(d) for d in dentists}
    zone = clinic_tz()
    days = [
        (day, [(slot, names.get(slot.dentist_id, "")) for slot in items])
        for day, items in groupby(slots, key=lambda s: s.start.astimezone(zone).date())
    ]
    return render(
        request,
        "portal/book.html",
        {"search": search, "days": days, "moving": moving},
    )


@patient_required
@require_POST
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Inside the cancellation window the service refuses, with its message."""
    appointment = _appointment(request, appointment_id)
    try:
        scheduling_services.appointment_cancel(
            actor=request.user,
            appointment=appointment,
            reason=_("Cancelled by the patient online"),
        )
    except ChairsideError as exc:
        message_refusal(request, exc)
    else:
        messages.success(request, _("Your visit is cancelled."))
    return HttpResponseRedirect(reverse("portal:home"))


@patient_required
def invoices(request: HttpRequest) -> HttpResponse:
    rows = billing_selectors.invoice_list(user=request.user).prefetch_related(None)
    return render(request, "portal/invoices.html", {"invoices": rows})


def _invoice(request: HttpRequest, invoice_id: int):
    return billing_selectors.invoice_get(user=request.user, invoice_id=invoice_id)


@patient_required
def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    inv = _invoice(request, invoice_id)
    payments = payment_selectors.payment_list(user=request.user, invoice_id=inv.pk)
    clinic = request.tenant
    can_pay = (
        inv.balance > 0
        and inv.status not in ("void", "paid")
        and payment_policies.can_pay_by_card(request.user, inv)
        and gateway.card_payments_available(clinic)
    )
    return render(
        request,
        "portal/invoice.html",
        {
            "invoice": inv,
            "payments": payments,
            "can_pay": can_pay,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_account": clinic.stripe_account_id,
            "stripe_js_url": getattr(
                settings, "STRIPE_JS_URL", "https://js.stripe.com/v3/"
            ),
        },
    )


@patient_required
@require_POST
@json_errors
def invoice_pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Start a card payment: the same service as POST /api/payments, with the
    session instead of a bearer token. Stripe.js confirms it in the browser."""
    checkout = card_checkout_start(actor=request.user, invoice_id=invoice_id)
    return JsonResponse(
        {
            "payment_id": checkout.payment.pk,
            "client_secret": checkout.client_secret,
            "status_url": reverse("portal:payment-status", args=[checkout.payment.pk]),
        },
        status=HTTPStatus.CREATED,
    )


@patient_required
def payment_status(request: HttpRequest, payment_id: int) -> HttpResponse:
    """After Stripe.js confirmed: ask Stripe for the outcome (webhooks may
    lag) and show the receipt."""
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    payment_refresh_from_stripe(actor=request.user, payment=payment)
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    return render(request, "portal/receipt.html", {"payment": payment})
