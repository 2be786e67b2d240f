"""The pages behind the confirm/cancel links in reminder messages.

GET only shows what the link will do (mail scanners follow links; they must
not cancel anyone's appointment); the button POSTs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from chairside.core.actors import REMINDER_LINK
from chairside.core.api import undo_writes_refused_by
from chairside.core.errors import ChairsideError
from chairside.notifications import link_actions
from chairside.notifications.content import local_when, patient_language
from chairside.notifications.selectors import current_clinic


def _page(request: HttpRequest, action: str, token: str) -> HttpResponse:
    clinic = current_clinic()
    done = False
    try:
        appointment = link_actions.appointment_from_link(
            actor=REMINDER_LINK, token=token
        )
        language = patient_language(appointment.patient, clinic)
        if request.method == "POST":
            # The token opens the appointment until it ends: the audit
            # context records the path with it redacted (audit.middleware).
            if action == "confirm":
                appointment = link_actions.appointment_confirm_by_link(
                    actor=REMINDER_LINK, token=token
                )
            else:
                appointment = link_actions.appointment_cancel_by_link(
                    actor=REMINDER_LINK, token=token
                )
            done = True
    except ChairsideError as exc:
        response = render(
            request,
            "notifications/links/problem.html",
            {"clinic": clinic, "message": exc.message, "code": exc.code},
            status=exc.status,
        )
        undo_writes_refused_by(exc)  # once the page, which reads, is rendered
        return response
    with translation.override(language):
        day, time = local_when(appointment, clinic)
        return render(
            request,
            "notifications/links/appointment.html",
            {
                "clinic": clinic,
                "appointment": appointment,
                "day": day,
                "time": time,
                "action": action,
                "done": done,
                "language": language,
            },
        )


@require_http_methods(["GET", "POST"])
def appointment_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, "confirm", token)


@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, "cancel", token)
