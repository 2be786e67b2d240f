"""The printable estimate of a plan (PDF), in the patient's language and the
plan's currency, with the clinic's details: the same library (fpdf2) and
layout as the invoice PDF (web/pdf.py). A presented plan prints its
snapshot, so the estimate says exactly what the patient was shown."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from chairside.notifications.content import patient_language
from chairside.treatment import selectors
from chairside.treatment.models import TreatmentPlan
from tenants.models import Clinic


def _t(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _line(pdf: FPDF, text: str, height: float = 7) -> None:
    pdf.cell(0, height, _t(text), new_x="LMARGIN", new_y="NEXT")


def estimate_pdf(*, plan: TreatmentPlan, clinic: Clinic) -> bytes:
    with translation.override(patient_language(plan.patient, clinic)):
        return _render(plan, clinic)


WIDTHS = (22, 88, 25, 20, 30)
LABEL_WIDTH = sum(WIDTHS[:4])


def _amount_row(pdf: FPDF, label: str, value: str, currency: str, h: float = 7) -> None:
    pdf.cell(LABEL_WIDTH, h, _t(label), align="R")
    pdf.cell(WIDTHS[4], h, f"{value} {currency}", align="R")
    pdf.ln()


def _header(pdf: FPDF, plan: TreatmentPlan, clinic: Clinic) -> None:
    pdf.set_font("Helvetica", "B", 18)
    _line(pdf, clinic.name, 10)
    pdf.set_font("Helvetica", "", 10)
    _line(pdf, clinic.host, 6)
    pdf.set_font("Helvetica", "", 11)
    _line(
        pdf,
        _("Treatment estimate %(number)s, version %(version)s")
        % {"number": plan.pk, "version": plan.version},
    )
    when = formats.date_format(
        plan.presented_at or plan.created_at, "SHORT_DATE_FORMAT"
    )
    _line(pdf, _("Date: %(date)s") % {"date": when})
    _line(pdf, _("Patient: %(name)s") % {"name": plan.patient.full_name})
    if plan.snapshot is None:
        _line(pdf, _("Draft: not yet presented; fees may change."))
    pdf.ln(3)


def _phase(pdf: FPDF, phase: dict, currency: str) -> None:
    pdf.set_font("Helvetica", "B", 12)
    _line(pdf, _("Phase %(phase)s") % {"phase": phase["phase"]}, 8)
    pdf.set_font("Helvetica", "B", 10)
    titles = (_("Code"), _("Procedure"), _("Tooth"), _("Surfaces"), _("Fee"))
    for width, title in zip(WIDTHS, titles, strict=True):
        pdf.cell(width, 7, _t(title), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for item in phase["items"]:
        description = item["description"][:48]
        if item["alternative"]:
            description = f"[{item['alternative']}] {description}"
        for width, text in zip(
            WIDTHS[:4],
            (item["code"], description, item["tooth_display"], item["surfaces"]),
            strict=True,
        ):
            pdf.cell(width, 7, _t(text))
        pdf.cell(WIDTHS[4], 7, f"{item['fee']}", align="R")
        pdf.ln()
    totals = phase["totals"] or {}
    pdf.set_font("Helvetica", "B", 10)
    _amount_row(pdf, _("Phase total"), totals.get("core", "0.00"), currency)
    for label, value in (totals.get("alternatives") or {}).items():
        _amount_row(pdf, _("Alternative %(label)s") % {"label": label}, value, currency)
    pdf.ln(2)


def _render(plan: TreatmentPlan, clinic: Clinic) -> bytes:
    detail = selectors.plan_detail(plan=plan)
    currency = plan.currency
    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"{clinic.name} {_('Estimate')} {plan.pk}-{plan.version}"))
    pdf.add_page()
    _header(pdf, plan, clinic)
    for phase in selectors.plan_phases(detail):
        _phase(pdf, phase, currency)
    pdf.set_font("Helvetica", "B", 12)
    totals = detail["totals"]
    _amount_row(pdf, _("Total"), totals["core"], currency, 8)
    for label, value in totals["with_alternative"].items():
        _amount_row(
            pdf,
            _("Total with alternative %(label)s") % {"label": label},
            value,
            currency,
            8,
        )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _t(
            _(
                "This is an estimate of the fees for the treatment above. "
                "Fees are fixed as planned; treatment found necessary during "
                "the visits is discussed with you first."
            )
        ),
    )
    if plan.snapshot_hash:
        _line(pdf, _("Reference: %(hash)s") % {"hash": plan.snapshot_hash[:16]}, 5)
    return bytes(pdf.output())


def estimate_response(*, plan: TreatmentPlan, clinic: Clinic) -> HttpResponse:
    response = HttpResponse(
        estimate_pdf(plan=plan, clinic=clinic), content_type="application/pdf"
    )
    name = f"estimate-{plan.pk}-v{plan.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
