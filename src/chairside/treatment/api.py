"""/api/patients/{id}/treatment-plans, /api/treatment-plans/..., and the
visit's completion (/api/appointments/{id}/complete-procedures)."""

# No `from __future__ import annotations`: ninja resolves the schemas at
# import time.
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Status

from chairside.accounts.auth import jwt_auth
from chairside.core.net import client_ip
from chairside.core.openapi import with_errors
from chairside.core.types import MAX_BIGINT
from chairside.treatment import estimate, selectors, services
from chairside.treatment.schemas import (
    PhaseBookIn,
    PlanAcceptIn,
    PlanDeclineIn,
    PlanItemIn,
    PlanOut,
    PlanUpdate,
    VisitCompleteIn,
)

router = Router(tags=["treatment"], auth=jwt_auth)
ObjectId = Path(..., ge=1, le=MAX_BIGINT)
PhaseNumber = Path(..., ge=1, le=20)


def _out(request: HttpRequest, plan_id: int) -> Any:
    plan = selectors.plan_get(user=request.auth, plan_id=plan_id)
    return selectors.plan_detail(plan=plan)


@router.get(
    "/patients/{patient_id}/treatment-plans",
    response=with_errors({200: list[PlanOut]}),
)
def list_treatment_plans(request: HttpRequest, patient_id: int = ObjectId) -> Any:
    plans = selectors.plan_list_for_patient(user=request.auth, patient_id=patient_id)
    return selectors.plan_details_for_list(plans=plans[:100])


@router.post(
    "/patients/{patient_id}/treatment-plans",
    response=with_errors({HTTPStatus.CREATED: PlanOut}),
)
def create_treatment_plan(
    request: HttpRequest, patient_id: int = ObjectId
) -> Status[Any]:
    plan = services.plan_create(actor=request.auth, patient_id=patient_id)
    return Status(HTTPStatus.CREATED, _out(request, plan.pk))


@router.get("/treatment-plans/{plan_id}", response=with_errors({200: PlanOut}))
def get_treatment_plan(request: HttpRequest, plan_id: int = ObjectId) -> Any:
    return _out(request, plan_id)


@router.patch("/treatment-plans/{plan_id}", response=with_errors({200: PlanOut}))
def update_treatment_plan(
    request: HttpRequest, payload: PlanUpdate, plan_id: int = ObjectId
) -> Any:
    """Move a draft's items between phases and alternatives."""
    services.plan_items_arrange(
        actor=request.auth,
        plan_id=plan_id,
        items=[item.dict() for item in payload.items],
    )
    return _out(request, plan_id)


@router.post(
    "/treatment-plans/{plan_id}/items",
    response=with_errors({HTTPStatus.CREATED: PlanOut}),
)
def add_treatment_plan_item(
    request: HttpRequest, payload: PlanItemIn, plan_id: int = ObjectId
) -> Status[Any]:
    services.plan_item_add(actor=request.auth, plan_id=plan_id, **payload.dict())
    return Status(HTTPStatus.CREATED, _out(request, plan_id))


@router.delete(
    "/treatment-plans/{plan_id}/items/{item_id}", response=with_errors({200: PlanOut})
)
def remove_treatment_plan_item(
    request: HttpRequest, plan_id: int = ObjectId, item_id: int = ObjectId
) -> Any:
    services.plan_item_remove(actor=request.auth, plan_id=plan_id, item_id=item_id)
    return _out(request, plan_id)


@router.post("/treatment-plans/{plan_id}/present", response=with_errors({200: PlanOut}))
def present_treatment_plan(request: HttpRequest, plan_id: int = ObjectId) -> Any:
    services.plan_present(actor=request.auth, plan_id=plan_id)
    return _out(request, plan_id)


@router.post("/treatment-plans/{plan_id}/accept", response=with_errors({200: PlanOut}))
def accept_treatment_plan(
    request: HttpRequest, payload: PlanAcceptIn, plan_id: int = ObjectId
) -> Any:
    services.plan_accept(
        actor=request.auth,
        plan_id=plan_id,
        snapshot_hash=payload.snapshot_hash,
        item_ids=payload.item_ids,
        alternative=payload.alternative,
        signature=payload.signature,
        signer_name=payload.signer_name,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return _out(request, plan_id)


@router.post("/treatment-plans/{plan_id}/decline", response=with_errors({200: PlanOut}))
def decline_treatment_plan(
    request: HttpRequest, payload: PlanDeclineIn, plan_id: int = ObjectId
) -> Any:
    services.plan_decline(
        actor=request.auth, plan_id=plan_id, snapshot_hash=payload.snapshot_hash
    )
    return _out(request, plan_id)


@router.post(
    "/treatment-plans/{plan_id}/revise",
    response=with_errors({HTTPStatus.CREATED: PlanOut}),
)
def revise_treatment_plan(request: HttpRequest, plan_id: int = ObjectId) -> Status[Any]:
    revision = services.plan_revise(actor=request.auth, plan_id=plan_id)
    return Status(HTTPStatus.CREATED, _out(request, revision.pk))


@router.post(
    "/treatment-plans/{plan_id}/phases/{phase}/book",
    response=with_errors({HTTPStatus.CREATED: dict[str, Any]}),
)
def book_treatment_plan_phase(
    request: HttpRequest,
    payload: PhaseBookIn,
    plan_id: int = ObjectId,
    phase: int = PhaseNumber,
) -> Status[Any]:
    """Book the phase's accepted procedures: the appointment's length is
    their durations (rounded up to the calendar's step)."""
    appointment = services.plan_phase_book(
        actor=request.auth,
        plan_id=plan_id,
        phase=phase,
        dentist_id=payload.dentist_id,
        start=payload.appointment_date,
        chair_id=payload.chair_id,
    )
    return Status(
        HTTPStatus.CREATED,
        {
            "appointment_id": appointment.pk,
            "appointment_date": appointment.starts_at.isoformat(),
            "duration_minutes": appointment.duration_minutes,
            "chart_entry_ids": list(
                appointment.chart_entries.values_list("pk", flat=True)
            ),
        },
    )


@router.post(
    "/appointments/{appointment_id}/complete-procedures",
    response=with_errors({200: dict[str, Any]}),
)
def complete_visit_procedures(
    request: HttpRequest, payload: VisitCompleteIn, appointment_id: int = ObjectId
) -> Any:
    done = services.visit_procedures_complete(
        actor=request.auth, appointment_id=appointment_id, entry_ids=payload.entry_ids
    )
    return {"completed_entry_ids": [e.pk for e in done]}


@router.get(
    "/treatment-plans/{plan_id}/estimate.pdf",
    response=with_errors({200: None}),
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {}}, "description": "PDF"}}
    },
)
def get_treatment_plan_estimate(
    request: HttpRequest, plan_id: int = ObjectId
) -> HttpResponse:
    plan = selectors.plan_get(user=request.auth, plan_id=plan_id)
    return estimate.estimate_response(plan=plan, clinic=request.tenant)
