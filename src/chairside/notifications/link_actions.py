"""Confirming and cancelling an appointment from the signed link in a
reminder (the tokens themselves: links.py). The link is the patient's proof;
scheduling's services make and record the change. The actor is the link
handler (REMINDER_LINK): it acts for the patient the token names."""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.core.actors import REMINDER_LINK, SystemActor, ensure_system
from chairside.core.errors import ChairsideError, Conflict
from chairside.notifications.errors import NotificationsErrorCode as Code
from chairside.notifications.links import appointment_token_read
from chairside.scheduling.appointments import appointment_cancel, appointment_confirm
from chairside.scheduling.models import Appointment, AppointmentStatus
from chairside.scheduling.transitions import TRANSITIONS


class LinkError(ChairsideError):
    pass


def appointment_from_link(
    *,
    actor: SystemActor,
    token: str,
    now: datetime | None = None,
    lock: bool = False,
) -> Appointment:
    ensure_system(actor, REMINDER_LINK)
    now = now or timezone.now()
    try:
        claim = appointment_token_read(token)
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        raise LinkError(
            _("This link is not valid. Please contact the clinic."),
            code=Code.LINK_INVALID,
        ) from None
    if claim.schema != connection.schema_name:
        raise LinkError(
            _("This link is not valid. Please contact the clinic."),
            code=Code.LINK_INVALID,
        )
    appointments = Appointment.objects.select_related("patient__user", "dentist")
    if lock:
        appointments = appointments.select_for_update(of=("self",))
    appointment = appointments.filter(pk=claim.appointment_id).first()
    if appointment is None:
        raise LinkError(
            _("This link is not valid. Please contact the clinic."),
            code=Code.LINK_INVALID,
        )
    if int(appointment.starts_at.timestamp()) != int(claim.starts_at.timestamp()):
        raise LinkError(
            _(
                "This appointment has been moved. "
                "Please use the link in the latest message."
            ),
            code=Code.LINK_OUTDATED,
            status=HTTPStatus.GONE,
        )
    if now >= appointment.ends_at:
        raise LinkError(
            _("This link has expired: the appointment is over."),
            code=Code.LINK_EXPIRED,
            status=HTTPStatus.GONE,
        )
    return appointment


# Recorded in the audit context of changes made through a reminder's link.
ON_BEHALF_LINK = "patient {patient_id} via reminder link"


def _not_changeable(appointment: Appointment, *, cancel: bool) -> Conflict:
    message = (
        _("This appointment can no longer be cancelled (it is %(status)s).")
        if cancel
        else _("This appointment can no longer be confirmed (it is %(status)s).")
    )
    return Conflict(
        message % {"status": appointment.get_status_display()},
        code=Code.APPOINTMENT_NOT_CHANGEABLE,
    )


@transaction.atomic
def appointment_confirm_by_link(
    *, actor: SystemActor, token: str, now: datetime | None = None
) -> Appointment:
    appointment = appointment_from_link(actor=actor, token=token, now=now, lock=True)
    if appointment.status == AppointmentStatus.CONFIRMED:
        return appointment
    if AppointmentStatus.CONFIRMED not in TRANSITIONS[appointment.status]:
        raise _not_changeable(appointment, cancel=False)
    # The signed link is the patient's proof; scheduling records the change.
    return appointment_confirm(
        actor=REMINDER_LINK.acting_for(
            ON_BEHALF_LINK.format(patient_id=appointment.patient_id)
        ),
        appointment=appointment,
    )


@transaction.atomic
def appointment_cancel_by_link(
    *, actor: SystemActor, token: str, now: datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    appointment = appointment_from_link(actor=actor, token=token, now=now, lock=True)
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    if AppointmentStatus.CANCELLED not in TRANSITIONS[appointment.status]:
        raise _not_changeable(appointment, cancel=True)
    # The clinic's cancellation window is scheduling's rule for every change
    # a patient makes, this one included: appointment_cancel judges it.
    return appointment_cancel(
        actor=REMINDER_LINK.acting_for(
            ON_BEHALF_LINK.format(patient_id=appointment.patient_id)
        ),
        appointment=appointment,
        reason="Cancelled by the patient from a reminder link",
    )
