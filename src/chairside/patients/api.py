"""/api/patients — thin: parse, call a selector or service, shape the answer."""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from chairside.accounts.auth import jwt_auth
from chairside.core.openapi import with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination
from chairside.core.types import MAX_BIGINT
from chairside.patients import selectors, services
from chairside.patients.schemas import (
    PatientFilter,
    PatientIn,
    PatientListOut,
    PatientOut,
    PatientPatch,
)

router = Router(tags=["patients"], auth=jwt_auth)

PatientId = Path(..., ge=1, le=MAX_BIGINT)


# Views return the Patient itself: PatientOut reads it once, showing the
# medical history only to those who may read it (its resolver).


@router.get("/patients", response=with_errors({200: list[PatientListOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_patients(request: HttpRequest, filters: Query[PatientFilter]) -> Any:
    return selectors.patient_list(
        user=request.auth,
        q=filters.q,
        archived=filters.archived,
        ordering=filters.ordering,
    )


@router.post("/patients", response=with_errors({HTTPStatus.CREATED: PatientOut}))
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[Any]:
    patient = services.patient_create(actor=request.auth, **payload.model_dump())
    return Status(HTTPStatus.CREATED, patient)


@router.get("/patients/{patient_id}", response=with_errors({200: PatientOut}))
def get_patient(request: HttpRequest, patient_id: int = PatientId) -> Any:
    return services.patient_open(actor=request.auth, patient_id=patient_id)


@router.put("/patients/{patient_id}", response=with_errors({200: PatientOut}))
def replace_patient(
    request: HttpRequest, payload: PatientIn, patient_id: int = PatientId
) -> Any:
    patient = selectors.patient_get(user=request.auth, patient_id=patient_id)
    return services.patient_replace(
        actor=request.auth, patient=patient, data=payload.model_dump()
    )


@router.patch("/patients/{patient_id}", response=with_errors({200: PatientOut}))
def update_patient(
    request: HttpRequest, payload: PatientPatch, patient_id: int = PatientId
) -> Any:
    patient = selectors.patient_get(user=request.auth, patient_id=patient_id)
    return services.patient_update(
        actor=request.auth,
        patient=patient,
        changes=payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/patients/{patient_id}", response=with_errors({HTTPStatus.NO_CONTENT: None})
)
def archive_patient(request: HttpRequest, patient_id: int = PatientId) -> Status[None]:
    patient = selectors.patient_get(user=request.auth, patient_id=patient_id)
    services.patient_archive(actor=request.auth, patient=patient)
    return Status(HTTPStatus.NO_CONTENT, None)
