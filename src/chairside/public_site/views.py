"""Public site pages (base domain): landing, pricing, clinic signup, find my clinic."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chairside.accounts.login_links import login_token_make
from chairside.core.actors import SIGNUP
from chairside.core.errors import ChairsideError, RateLimited
from chairside.core.net import url_for_host
from chairside.core.ratelimit import enforce_rate_limits, ip_key
from chairside.public_site.forms import ClinicSignupForm, FindClinicForm
from chairside.web.errors import form_error_from, page_errors
from tenants import selectors, services


def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public_site/landing.html", {"plans": selectors.plan_list_active()}
    )


def pricing(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public_site/pricing.html", {"plans": selectors.plan_list_active()}
    )


@page_errors
def signup(request: HttpRequest) -> HttpResponse:
    plans = list(selectors.plan_list_active())
    form = ClinicSignupForm(
        request.POST or None,
        plans=[(p.code, p.name) for p in plans],
        initial={"plan": request.GET.get("plan", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enforce_rate_limits(
                request,
                group="web-clinic-signup",
                limits=[(settings.CLINIC_SIGNUP_RATE_PER_IP, ip_key(request))],
            )
            clinic, owner = services.clinic_provision(
                actor=SIGNUP,
                **form.provision_arguments(),
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            # Straight into the new clinic, signed in as its owner: a one-time
            # link, since the session cookie of this host means nothing there.
            token = login_token_make(schema_name=clinic.schema_name, user=owner)
            return HttpResponseRedirect(
                f"{url_for_host(request, clinic.host)}/welcome/{token}/"
            )
    return render(
        request,
        "public_site/signup.html",
        {"form": form, "plans": plans},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


def find_clinic(request: HttpRequest) -> HttpResponse:
    """Email the sign-in links of every clinic that knows this address.

    The page says the same thing whether or not any clinic matched, so it
    cannot be used to learn who is a patient or staff member where.
    """
    form = FindClinicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enforce_rate_limits(
                request,
                group="web-find-clinic",
                limits=[(settings.AUTH_RATE_PER_IP, ip_key(request))],
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
        else:
            email = form.cleaned_data["email"]
            clinics = selectors.clinic_list_for_email(email=email)
            if clinics:
                links = [
                    (c.name, f"{url_for_host(request, c.host)}/accounts/login/")
                    for c in clinics
                ]
                send_mail(
                    _("Your Chairside clinics"),
                    render_to_string(
                        "public_site/email/find_clinic.txt", {"links": links}, request
                    ),
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                )
            return render(
                request, "public_site/find_clinic_sent.html", {"email": email}
            )
    return render(
        request,
        "public_site/find_clinic.html",
        {"form": form},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )
