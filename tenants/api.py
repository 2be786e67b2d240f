"""Public-site API: plans and clinic signup (base domain only)."""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from chairside.core.actors import SIGNUP
from chairside.core.ratelimit import enforce_rate_limits, ip_key
from tenants import selectors, services
from tenants.models import Clinic
from tenants.schemas import ClinicOut, ClinicSignupIn, PlanOut

router = Router(tags=["public"])


def clinic_out(clinic: Clinic) -> ClinicOut:
    return ClinicOut(
        id=clinic.pk,
        name=clinic.name,
        slug=clinic.slug,
        url=clinic.url,
        time_zone=clinic.time_zone,
        currency=clinic.currency,
        default_language=clinic.default_language,
        status=clinic.status,
        plan=clinic.plan.code if clinic.plan else None,
    )


@router.get("/public/plans", response=list[PlanOut])
def list_plans(request: HttpRequest) -> list[PlanOut]:
    return list(selectors.plan_list_active())


@router.post("/public/clinics", response={HTTPStatus.CREATED: ClinicOut})
def create_clinic(request: HttpRequest, payload: ClinicSignupIn) -> Status[ClinicOut]:
    enforce_rate_limits(
        request,
        group="clinic-signup",
        limits=[(settings.CLINIC_SIGNUP_RATE_PER_IP, ip_key(request))],
    )
    clinic, _owner = services.clinic_provision(
        actor=SIGNUP,
        name=payload.name,
        slug=payload.slug,
        owner_email=payload.owner_email,
        owner_password=payload.owner_password,
        owner_first_name=payload.owner_first_name,
        owner_last_name=payload.owner_last_name,
        time_zone=payload.time_zone,
        currency=payload.currency,
        language=payload.language,
        plan_code=payload.plan,
    )
    return Status(HTTPStatus.CREATED, clinic_out(clinic))
