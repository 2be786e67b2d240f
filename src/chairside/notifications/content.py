"""What reminder messages say, rendered in the patient's language and the
clinic's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from chairside.billing.models import Invoice
from chairside.notifications.links import appointment_link, appointment_token
from chairside.patients.models import Patient
from chairside.scheduling.models import Appointment
from tenants.models import Clinic


@dataclass(frozen=True)
class Content:
    subject: str
    text: str
    sms: str


def patient_language(patient: Patient, clinic: Clinic) -> str:
    """The patient's portal language if they chose one, else the clinic's."""
    supported = {code for code, _name in settings.LANGUAGES}
    user = patient.user
    if user is not None and user.language in supported:
        return user.language
    return clinic.default_language or settings.LANGUAGE_CODE


def local_when(appointment: Appointment, clinic: Clinic) -> tuple[str, str]:
    local = appointment.starts_at.astimezone(ZoneInfo(clinic.time_zone))
    return (
        formats.date_format(local, "l, ") + formats.date_format(local, "DATE_FORMAT"),
        local.strftime("%H:%M"),
    )


def appointment_reminder_content(
    *, appointment: Appointment, clinic: Clinic, language: str
) -> Content:
    token = appointment_token(
        schema=clinic.schema_name,
        appointment_id=appointment.pk,
        starts_at=appointment.starts_at,
    )
    with translation.override(language):
        day, time = local_when(appointment, clinic)
        context = {
            "clinic": clinic,
            "patient": appointment.patient,
            "dentist": appointment.dentist,
            "day": day,
            "time": time,
            "confirm_url": appointment_link(
                clinic_url=clinic.url, action="confirm", token=token
            ),
            "cancel_url": appointment_link(
                clinic_url=clinic.url, action="cancel", token=token
            ),
        }
        subject = _(
            "Reminder: your appointment at %(clinic)s on %(day)s at %(time)s"
        ) % {
            "clinic": clinic.name,
            "day": day,
            "time": time,
        }
        text = render_to_string("notifications/email/appointment_reminder.txt", context)
        sms = _(
            "%(clinic)s: reminder of your appointment on %(day)s at %(time)s. "
            "Confirm: %(confirm_url)s Cancel: %(cancel_url)s"
        ) % {**context, "clinic": clinic.name}
    return Content(subject=subject, text=text, sms=sms)


def invoice_overdue_content(
    *, invoice: Invoice, clinic: Clinic, language: str
) -> Content:
    with translation.override(language):
        pay_url = settings.INVOICE_PAYMENT_URL.format(
            clinic_url=clinic.url, invoice_id=invoice.pk, invoice_number=invoice.number
        )
        context = {
            "clinic": clinic,
            "patient": invoice.patient,
            "invoice": invoice,
            "balance": formats.number_format(invoice.balance, 2, use_l10n=True),
            "due_date": formats.date_format(invoice.due_date, "DATE_FORMAT"),
            "pay_url": pay_url,
        }
        subject = _("Invoice %(number)s from %(clinic)s is overdue") % {
            "number": invoice.number,
            "clinic": clinic.name,
        }
        text = render_to_string("notifications/email/invoice_overdue.txt", context)
        sms = _("%(clinic)s: invoice %(number)s is overdue. Pay online: %(url)s") % {
            "clinic": clinic.name,
            "number": invoice.number,
            "url": pay_url,
        }
    return Content(subject=subject, text=text, sms=sms)
