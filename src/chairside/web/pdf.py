"""Invoice and receipt PDFs with fpdf2: pure Python from PyPI (no system
libraries, unlike WeasyPrint's Pango/Cairo), small, and enough for a one-page
document. The built-in Helvetica covers the Latin-1 texts we print; anything
outside it is replaced rather than failing the download."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from chairside.billing.models import Invoice
from tenants.models import Clinic


def _t(text: object) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(*, invoice: Invoice, clinic: Clinic) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_t(f"{clinic.name} {invoice.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _t(clinic.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, _t(_("Invoice %(number)s") % {"number": invoice.number}),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.cell(0, 7, _t(_("Issued: %(date)s  ·  Due: %(due)s") % {
        "date": formats.date_format(invoice.issue_date, "SHORT_DATE_FORMAT"),
        "due": formats.date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
    }).replace("·", "-"), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.cell(0, 7, _t(_("Patient: %(name)s") % {"name": invoice.patient.full_name}),
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(4)
    widths = (95, 20, 35, 35)
    pdf.set_font("Helvetica", "B", 10)
    for width, title in zip(
        widths, (_("Description"), _("Qty"), _("Unit price"), _("Total")), strict=True
    ):
        pdf.cell(width, 8, _t(title), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for item in invoice.items.all():
        pdf.cell(widths[0], 7, _t(item.description[:60]))
        pdf.cell(widths[1], 7, str(item.quantity), align="R")
        pdf.cell(widths[2], 7, f"{item.unit_price}", align="R")
        pdf.cell(widths[3], 7, f"{item.line_total}", align="R")
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    for label, value in (
        (_("Total"), invoice.total_amount),
        (_("Paid"), invoice.amount_paid),
        (_("Balance due"), invoice.balance),
    ):
        pdf.cell(sum(widths[:3]), 7, _t(label), align="R")
        pdf.cell(widths[3], 7, f"{value} {invoice.currency}", align="R")
        pdf.ln()
    if invoice.notes:
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6, _t(invoice.notes))
    return bytes(pdf.output())
