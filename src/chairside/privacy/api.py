"""POST /api/patients/{id}/erase — thin: the privacy service decides."""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router

from chairside.accounts.auth import jwt_auth
from chairside.core.openapi import with_errors
from chairside.core.types import MAX_BIGINT
from chairside.patients import selectors
from chairside.patients.schemas import EraseOut
from chairside.privacy import services

router = Router(tags=["patients"], auth=jwt_auth)


@router.post("/patients/{patient_id}/erase", response=with_errors({200: EraseOut}))
def erase_patient(
    request: HttpRequest, patient_id: int = Path(..., ge=1, le=MAX_BIGINT)
) -> Any:
    patient = selectors.patient_get(user=request.auth, patient_id=patient_id)
    return {"outcome": services.patient_erase(actor=request.auth, patient=patient)}
