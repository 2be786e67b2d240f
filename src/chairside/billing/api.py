"""/api/billing/invoices — the client spec's billing endpoints."""

# No `from __future__ import annotations`: ninja resolves Query[...] at
# import time.
from http import HTTPStatus

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from chairside.accounts.auth import jwt_auth
from chairside.billing import selectors, services, visits
from chairside.billing.schemas import (
    InvoiceFilter,
    InvoiceIn,
    InvoiceOut,
    InvoiceUpdate,
    VisitInvoiceIn,
)
from chairside.core.openapi import with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination
from chairside.core.types import Id

router = Router(tags=["billing"], auth=jwt_auth)


@router.get("/billing/invoices", response=with_errors({200: list[InvoiceOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_invoices(request: HttpRequest, filters: Query[InvoiceFilter]):
    """Staff see every invoice; a patient sees only their own."""
    return selectors.invoice_list(user=request.auth, **filters.dict())


@router.post(
    "/billing/invoices", response=with_errors({HTTPStatus.CREATED: InvoiceOut})
)
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Status[InvoiceOut]:
    invoice = services.invoice_create(
        actor=request.auth,
        patient_id=payload.patient_id,
        appointment_id=payload.appointment_id,
        lines=[
            services.InvoiceLine(
                description=item.description,
                quantity=item.quantity,
                unit_price=item.unit_price,
                procedure_code=item.procedure_code,
            )
            for item in payload.items
        ],
        due_date=payload.due_date,
        notes=payload.notes,
    )
    return Status(
        HTTPStatus.CREATED,
        selectors.invoice_get(user=request.auth, invoice_id=invoice.pk),
    )


@router.get("/billing/invoices/{invoice_id}", response=with_errors({200: InvoiceOut}))
def get_invoice(request: HttpRequest, invoice_id: Id):
    return selectors.invoice_get(user=request.auth, invoice_id=invoice_id)


@router.put("/billing/invoices/{invoice_id}", response=with_errors({200: InvoiceOut}))
def update_invoice(request: HttpRequest, invoice_id: Id, payload: InvoiceUpdate):
    """Void (the one status a person sets), or change due date and notes."""
    services.invoice_update(
        actor=request.auth,
        invoice_id=invoice_id,
        status=payload.status,
        void_reason=payload.void_reason,
        due_date=payload.due_date,
        notes=payload.notes,
    )
    return selectors.invoice_get(user=request.auth, invoice_id=invoice_id)


@router.post(
    "/appointments/{appointment_id}/invoice",
    response=with_errors({HTTPStatus.CREATED: InvoiceOut}),
)
def create_visit_invoice(
    request: HttpRequest, appointment_id: Id, payload: VisitInvoiceIn
) -> Status[InvoiceOut]:
    """The visit's invoice, from its completed procedures at their frozen
    fees (one line each; a procedure is billed once)."""
    invoice = visits.invoice_for_visit(
        actor=request.auth,
        appointment_id=appointment_id,
        due_date=payload.due_date,
        notes=payload.notes,
    )
    return Status(
        HTTPStatus.CREATED,
        selectors.invoice_get(user=request.auth, invoice_id=invoice.pk),
    )
