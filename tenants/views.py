"""Public site pages (base domain)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from chairside.core.errors import ChairsideError
from tenants import selectors, services
from tenants.forms import ClinicSignupForm


def landing(request: HttpRequest) -> HttpResponse:
    return render(
        request, "tenants/landing.html", {"plans": selectors.plan_list_active()}
    )


def signup(request: HttpRequest) -> HttpResponse:
    plans = [(p.code, f"{p.name}") for p in selectors.plan_list_active()]
    form = ClinicSignupForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clinic, _owner = services.clinic_provision(
                name=data["name"],
                slug=data["slug"],
                owner_email=data["owner_email"],
                owner_password=data["owner_password"],
                owner_first_name=data["owner_first_name"],
                owner_last_name=data["owner_last_name"],
                time_zone=data["time_zone"],
                currency=data["currency"],
                language=data["language"],
                plan_code=data["plan"] or None,
            )
        except ChairsideError as exc:
            field = (
                (exc.details or {}).get("field")
                if isinstance(exc.details, dict)
                else None
            )
            form_field = {"password": "owner_password", "email": "owner_email",
                          "language": "language"}.get(field, field)  # fmt: skip
            form.add_error(
                form_field if form_field in form.fields else None, exc.message
            )
        else:
            return HttpResponseRedirect(f"{clinic.url}/accounts/login/")
    return render(
        request,
        "tenants/signup.html",
        {"form": form},
        status=200 if not form.errors else 400,
    )
