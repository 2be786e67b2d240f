"""Staff billing pages: invoices, line items, manual payments, refunds, PDFs."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.billing import selectors as billing_selectors
from chairside.billing import services as billing_services
from chairside.billing.models import InvoiceStatus
from chairside.core.errors import ChairsideError, PermissionDenied
from chairside.patients.models import Patient
from chairside.payments import policies as payment_policies
from chairside.payments import refunds
from chairside.payments import selectors as payment_selectors
from chairside.payments.manual import payment_manual_record
from chairside.scheduling.models import Appointment
from chairside.web.decorators import staff_required
from chairside.web.errors import form_error_from, message_refusal
from chairside.web.forms import (
    InvoiceLineFormSet,
    InvoiceMetaForm,
    ManualPaymentForm,
    RefundForm,
)
from chairside.web.pdf import invoice_pdf

PAGE_SIZE = 50


def _invoice(request: HttpRequest, invoice_id: int):
    return billing_selectors.invoice_get(user=request.user, invoice_id=invoice_id)


@staff_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    invoices = (
        billing_selectors.invoice_list(
            user=request.user,
            status=status if status in InvoiceStatus.values else None,
        )
        .select_related("patient")
        .prefetch_related(None)  # the list shows totals, not line items
    )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/invoice_list.html",
        {"page": page, "status": status, "statuses": InvoiceStatus.choices},
    )


@staff_required
def invoice_detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    payments = payment_selectors.payment_list(
        user=request.user, invoice_id=invoice.pk
    ).prefetch_related("refunds")
    return render(
        request,
        "web/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": payments,
            "payment_form": ManualPaymentForm(),
            "refund_form": RefundForm(),
            "can_record": payment_policies.can_record_manual_payment(request.user),
            "can_refund": payment_policies.can_refund(request.user),
        },
    )


@staff_required
def invoice_create(request: HttpRequest) -> HttpResponse:
    appointment = None
    if appointment_id := request.GET.get("appointment"):
        appointment = (
            Appointment.objects.select_related("patient", "dentist")
            .filter(pk=appointment_id)
            .first()
        )
    patient_id = appointment.patient_id if appointment else request.GET.get("patient")
    patient = Patient.objects.filter(pk=patient_id, is_archived=False).first()
    if patient is None:
        raise Http404(_("Choose a patient or an appointment to invoice."))
    initial = [{"description": appointment.reason, "quantity": 1}] if (
        appointment and appointment.reason
    ) else None  # fmt: skip
    lines = InvoiceLineFormSet(request.POST or None, initial=initial, prefix="line")
    meta = InvoiceMetaForm(request.POST or None)
    if request.method == "POST" and lines.is_valid() and meta.is_valid():
        filled = [f.cleaned_data for f in lines.forms if f.cleaned_data]
        try:
            invoice = billing_services.invoice_create(
                actor=request.user,
                patient_id=patient.pk,
                appointment_id=appointment.pk if appointment else None,
                lines=[
                    billing_services.InvoiceLine(
                        description=line["description"],
                        quantity=line["quantity"],
                        unit_price=line["unit_price"],
                        procedure_code=line.get("procedure_code") or "",
                    )
                    for line in filled
                ],
                due_date=meta.cleaned_data["due_date"],
                notes=meta.cleaned_data["notes"],
            )
        except PermissionDenied:
            raise  # the forbidden page (page_errors), not a form error
        except ChairsideError as exc:
            form_error_from(exc, meta)
        else:
            messages.success(
                request, _("Invoice %(number)s issued.") % {"number": invoice.number}
            )
            return HttpResponseRedirect(reverse("web:invoice", args=[invoice.pk]))
    return render(
        request,
        "web/invoice_form.html",
        {"patient": patient, "appointment": appointment, "lines": lines, "meta": meta},
        status=HTTPStatus.BAD_REQUEST
        if meta.errors or lines.total_error_count()
        else HTTPStatus.OK,
    )


@staff_required
@require_POST
def payment_record(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    form = ManualPaymentForm(request.POST)
    if form.is_valid():
        try:
            payment_manual_record(
                actor=request.user,
                invoice_id=invoice.pk,
                method=form.cleaned_data["method"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except PermissionDenied:
            raise  # the forbidden page (page_errors)
        except ChairsideError as exc:
            message_refusal(request, exc)
        else:
            messages.success(request, _("Payment recorded."))
    else:
        messages.error(request, _("Please check the payment amount."))
    return HttpResponseRedirect(reverse("web:invoice", args=[invoice.pk]))


@staff_required
@require_POST
def payment_refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refunds.payment_refund(
                actor=request.user,
                payment_id=payment.pk,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            raise  # the forbidden page (page_errors)
        except ChairsideError as exc:
            message_refusal(request, exc)
        else:
            messages.success(request, _("Refund recorded."))
    return HttpResponseRedirect(reverse("web:invoice", args=[payment.invoice_id]))


def invoice_pdf_response(request: HttpRequest, invoice) -> HttpResponse:
    response = HttpResponse(
        invoice_pdf(invoice=invoice, clinic=request.tenant),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


@staff_required
def invoice_download(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return invoice_pdf_response(request, _invoice(request, invoice_id))


@staff_required
def payment_receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    payment = payment_selectors.payment_get(user=request.user, payment_id=payment_id)
    return render(request, "web/receipt.html", {"payment": payment})
