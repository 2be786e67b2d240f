"""Clinic settings (admins only)."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from chairside.accounts.invites import staff_invite
from chairside.accounts.models import STAFF_ROLES, User
from chairside.core.errors import ChairsideError
from chairside.core.net import url_for_host
from chairside.notifications.preferences import notification_settings_update
from chairside.notifications.selectors import notification_settings_get
from chairside.payments import gateway
from chairside.scheduling import resources as scheduling_resources
from chairside.scheduling import selectors as scheduling_selectors
from chairside.web.decorators import admin_required
from chairside.web.errors import form_error_from
from chairside.web.forms import (
    ClinicProfileForm,
    NotificationSettingsForm,
    SchedulingSettingsForm,
    StaffInviteForm,
    StripeAccountForm,
)
from tenants import services as tenant_services


def _render(request: HttpRequest, template: str, context: dict, form) -> HttpResponse:
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(request, template, context, status=status)


@admin_required
def settings_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/settings/index.html")


@admin_required
def clinic_profile(request: HttpRequest) -> HttpResponse:
    clinic = request.tenant
    form = ClinicProfileForm(
        request.POST or None,
        initial={
            "name": clinic.name,
            "time_zone": clinic.time_zone,
            "currency": clinic.currency,
            "language": clinic.default_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant_services.clinic_profile_update(
                actor=request.user, clinic=clinic, **form.cleaned_data
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Clinic profile saved."))
            return HttpResponseRedirect(reverse("web:settings-profile"))
    return _render(request, "web/settings/form.html", {"form": form,
                   "heading": _("Clinic profile")}, form)  # fmt: skip


@admin_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    cfg = notification_settings_get()
    hours = ", ".join(
        f"{m / 60:g}" for m in sorted(cfg.reminder_offsets_minutes, reverse=True)
    )
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "reminder_offsets": hours,
            "email_reminders": cfg.email_reminders,
            "sms_reminders": cfg.sms_reminders,
            "overdue_invoice_emails": cfg.overdue_invoice_emails,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notification_settings_update(
                actor=request.user,
                reminder_offsets_minutes=data["reminder_offsets"],
                email_reminders=data["email_reminders"],
                sms_reminders=data["sms_reminders"],
                overdue_invoice_emails=data["overdue_invoice_emails"],
            )
        except ChairsideError as exc:
            form.add_error("reminder_offsets", exc.message)
        else:
            messages.success(request, _("Reminder settings saved."))
            return HttpResponseRedirect(reverse("web:settings-notifications"))
    return _render(request, "web/settings/form.html", {"form": form,
                   "heading": _("Reminders")}, form)  # fmt: skip


@admin_required
def scheduling_settings(request: HttpRequest) -> HttpResponse:
    """What patients may book and change online; saved by scheduling's
    service, which holds the bounds (the form shows the model's)."""
    current = scheduling_selectors.scheduling_settings_read(user=request.user)
    form = SchedulingSettingsForm(
        request.POST or None,
        initial={
            name: getattr(current, name) for name in SchedulingSettingsForm.base_fields
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheduling_resources.scheduling_settings_update(
                actor=request.user, changes=form.cleaned_data
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Online booking rules saved."))
            return HttpResponseRedirect(reverse("web:settings-scheduling"))
    return _render(request, "web/settings/form.html", {"form": form,
                   "heading": _("Online booking")}, form)  # fmt: skip


@admin_required
def staff(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(
                actor=request.user,
                **form.cleaned_data,
                clinic_url=url_for_host(request, request.tenant.host),
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": user.email}
            )
            return HttpResponseRedirect(reverse("web:settings-staff"))
    members = User.objects.filter(role__in=STAFF_ROLES).order_by("role", "email")
    return _render(request, "web/settings/staff.html",
                   {"form": form, "members": members}, form)  # fmt: skip


@admin_required
def stripe_connection(request: HttpRequest) -> HttpResponse:
    clinic = request.tenant
    form = StripeAccountForm(
        request.POST or None, initial={"stripe_account_id": clinic.stripe_account_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            tenant_services.clinic_stripe_account_set(
                actor=request.user,
                clinic=clinic,
                account_id=form.cleaned_data["stripe_account_id"],
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Stripe connection saved."))
            return HttpResponseRedirect(reverse("web:settings-stripe"))
    context = {
        "form": form,
        "heading": _("Stripe connection"),
        "card_payments": gateway.card_payments_available(clinic),
        "stripe": True,
    }
    return _render(request, "web/settings/form.html", context, form)
