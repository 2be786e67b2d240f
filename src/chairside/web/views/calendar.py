"""The staff calendar: FullCalendar (resource time grid) fed by JSON from here;
booking and moving go through scheduling.appointments, and a refused change comes
back as a message the page shows, never silently.

Times travel as the clinic's wall-clock time without an offset, and the
calendar runs in "UTC" mode: FullCalendar cannot compute a named zone's
offsets without a plugin, while wall-clock times need none, so what staff
see is exactly the clinic's local time, DST days included.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus

from django.contrib import messages
from django.db.models import Max, Min
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chairside.core.clinic_time import as_clinic_time, clinic_tz
from chairside.core.errors import ChairsideError
from chairside.scheduling import appointments as scheduling_services
from chairside.scheduling import policies as scheduling_policies
from chairside.scheduling import rules
from chairside.scheduling import selectors as scheduling_selectors
from chairside.scheduling.models import (
    Appointment,
    AppointmentStatus,
    Chair,
    Dentist,
)
from chairside.scheduling.transitions import RESCHEDULE
from chairside.web import queries
from chairside.web.decorators import staff_required
from chairside.web.errors import (
    form_error_from,
    form_error_json,
    json_errors,
    message_refusal,
    refuse_writes,
    wants_json,
)
from chairside.web.forms import AppointmentEditForm, BookingForm, MoveForm

# The widest view is a week; a month view would be six weeks.
MAX_RANGE = timedelta(weeks=6)


def _parse(value: str | None) -> datetime | None:
    """A wall-clock time of the clinic (any offset or Z FullCalendar adds in
    its UTC mode is dropped: the digits are the clinic's local time)."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        return None
    if parsed is None:
        return None
    return as_clinic_time(parsed.replace(tzinfo=None))


def _wall(moment: datetime) -> str:
    return moment.astimezone(clinic_tz()).replace(tzinfo=None).isoformat()


@staff_required
def calendar(request: HttpRequest) -> HttpResponse:
    by = "chair" if request.GET.get("by") == "chair" else "dentist"
    # Active ones, with hours: the columns and the booking dialog share them.
    dentists = list(scheduling_selectors.dentist_list(user=request.user))
    chairs = list(scheduling_selectors.chair_list(user=request.user))
    shifts = [
        (h.start_time, h.end_time) for d in dentists for h in d.working_hours.all()
    ]
    return render(
        request,
        "web/calendar.html",
        {
            "by": by,
            "resources": queries.calendar_resources(by, dentists, chairs),
            "dentists": dentists,
            "chairs": chairs,
            "initial_date": request.GET.get("date", ""),
            "time_zone": request.tenant.time_zone,
            "now": _wall(timezone.now()),
            # The first view's hours; the feed widens them around any visit.
            "hours": queries.calendar_hours([], shifts),
            # The booking dialog's length input, bounded as scheduling is.
            "durations": {
                "min": rules.MIN_DURATION_MINUTES,
                "max": rules.MAX_DURATION_MINUTES,
                "default": rules.DEFAULT_DURATION_MINUTES,
            },
        },
    )


@staff_required
@json_errors
def calendar_events(request: HttpRequest) -> HttpResponse:
    start, end = _parse(request.GET.get("start")), _parse(request.GET.get("end"))
    if start is None or end is None or end <= start:
        raise ChairsideError(_("Give a start and an end."))
    if end - start > MAX_RANGE:
        raise ChairsideError(_("Ask for at most six weeks at a time."))
    by = "chair" if request.GET.get("by") == "chair" else "dentist"
    rows = queries.calendar_event_rows(*queries.calendar_days(start, end))
    # One clock for the whole feed: every event judged at the same instant.
    now = timezone.now()
    # Looked up once per request, not once per event.
    labels = {value: str(label) for value, label in AppointmentStatus.choices}
    # The dentists' names and working days in one query.
    dentist_rows = Dentist.objects.annotate(
        opens=Min("working_hours__start_time"), closes=Max("working_hours__end_time")
    )
    dentists = {d.pk: str(d) for d in dentist_rows}
    shifts = [(d.opens, d.closes) for d in dentist_rows if d.is_active and d.opens]
    chairs = {c.pk: c.name for c in Chair.objects.all()}

    # What the server allows for each visit now: the dialog's buttons, and
    # whether it may be dragged (the selector reads only these fields).
    actions = {
        row["id"]: scheduling_selectors.appointment_allowed_actions(
            actor=request.user,
            appointment=Appointment(
                status=row["status"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                patient_id=row["patient_id"],
            ),
            now=now,
        )
        for row in rows
    }
    events = [
        {
            "id": str(row["id"]),
            "resourceId": str(row["chair_id"] if by == "chair" else row["dentist_id"]),
            "title": f"{row['patient__first_name']} {row['patient__last_name']}"
            + (f" · {row['reason']}" if row["reason"] else ""),
            "start": _wall(row["starts_at"]),
            "end": _wall(row["ends_at"]),
            "classNames": [f"status-{row['status']}"],
            "editable": RESCHEDULE in actions[row["id"]],
            "extendedProps": {
                "status": row["status"],
                "statusLabel": labels[row["status"]],
                "dentist": dentists[row["dentist_id"]],
                "chair": chairs[row["chair_id"]],
                "patientId": row["patient_id"],
                "dentistId": row["dentist_id"],
                "chairId": row["chair_id"],
                "actions": actions[row["id"]],
            },
        }
        for row in rows
    ]
    # The hours on screen cover every visit of the days shown.
    hours = queries.calendar_hours(rows, shifts)
    return JsonResponse({"events": events, "hours": hours})


@staff_required
@require_POST
@json_errors
def calendar_book(request: HttpRequest) -> HttpResponse:
    form = BookingForm(request.POST)
    if not form.is_valid():
        return form_error_json(form)
    data = form.cleaned_data
    appointment = scheduling_services.appointment_book(
        actor=request.user,
        patient_id=data["patient"],
        dentist_id=data["dentist"],
        chair_id=data["chair"],
        start=data["start"],
        duration_minutes=data["duration_minutes"],
        reason=data["reason"],
    )
    return JsonResponse(
        {"id": appointment.pk, "message": _("Appointment booked.")},
        status=HTTPStatus.CREATED,
    )


@staff_required
@require_POST
@json_errors
def calendar_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Drag, resize or edit: a refused move answers 409 with the reason, and
    the page puts the appointment back where it was."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return form_error_json(form)
    data = form.cleaned_data
    appointment = scheduling_selectors.appointment_get(
        user=request.user, appointment_id=appointment_id
    )
    changes = {
        "starts_at": data["start"],
        "duration_minutes": data["duration_minutes"],
        "dentist_id": data["dentist"],
        "chair_id": data["chair"],
    }
    scheduling_services.appointment_update(
        actor=request.user, appointment=appointment, changes=changes
    )
    return JsonResponse({"id": appointment_id, "message": _("Appointment moved.")})


@staff_required
def appointment_edit(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """The form behind the calendar's "Edit": reschedule (time, length,
    dentist, chair) and reason/notes in one save, decided by
    scheduling.appointments like a drag; a refusal is shown on the form."""
    appointment = scheduling_selectors.appointment_get(
        user=request.user, appointment_id=appointment_id
    )
    with_notes = scheduling_policies.can_write_notes(request.user)
    # Inactive ones too, so an appointment keeps its own dentist and chair.
    dentists = scheduling_selectors.dentist_list(user=request.user, active=None)
    chairs = scheduling_selectors.chair_list(user=request.user, active=None)
    initial = {
        "start": appointment.starts_at.astimezone(clinic_tz()).replace(tzinfo=None),
        "duration_minutes": appointment.duration_minutes,
        "dentist": appointment.dentist_id,
        "chair": appointment.chair_id,
        "reason": appointment.reason,
        "notes": appointment.notes,
    }
    form = AppointmentEditForm(
        request.POST or None,
        initial=initial,
        dentists=dentists,
        chairs=chairs,
        with_notes=with_notes,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = data["start"]  # naive: the service reads it as clinic time
        changes = {
            "starts_at": start,
            "duration_minutes": data["duration_minutes"],
            "dentist_id": data["dentist"],
            "chair_id": data["chair"],
            "reason": data["reason"],
        }
        # The service applies only what differs: a completed visit can still
        # get its notes written, but not be moved.
        if with_notes:
            changes["notes"] = data["notes"]
        try:
            scheduling_services.appointment_update(
                actor=request.user, appointment=appointment, changes=changes
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("Appointment saved."))
            day = start.date().isoformat()
            return HttpResponseRedirect(f"{reverse('web:calendar')}?date={day}")
    return render(
        request,
        "web/appointment_form.html",
        {"appointment": appointment, "form": form},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


@staff_required
@require_POST
def appointment_status(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Check in, complete, cancel, no-show (the dashboard's buttons and the
    calendar's dialog). htmx gets the updated dashboard row back."""
    status = request.POST.get("status", "")
    appointment = scheduling_selectors.appointment_get(
        user=request.user, appointment_id=appointment_id
    )
    try:
        if status == "cancelled":
            appointment = scheduling_services.appointment_cancel(
                actor=request.user,
                appointment=appointment,
                reason=request.POST.get("cancellation_reason", ""),
            )
        else:
            appointment = scheduling_services.appointment_update(
                actor=request.user, appointment=appointment, changes={"status": status}
            )
    except ChairsideError as exc:
        if wants_json(request):
            raise
        if request.htmx:
            refuse_writes(exc)
            return HttpResponse(
                f'<tr><td colspan="5" role="alert" class="alert error">'
                f"{escape(exc.message)}</td></tr>",
                status=exc.status,
            )
        message_refusal(request, exc)
        return HttpResponseRedirect(reverse("web:dashboard"))
    if wants_json(request):
        return JsonResponse({"id": appointment.pk, "status": appointment.status})
    if request.htmx:
        appointment = Appointment.objects.select_related(
            "patient", "chair", "dentist"
        ).get(pk=appointment.pk)
        appointment.actions = scheduling_selectors.appointment_allowed_actions(
            actor=request.user, appointment=appointment
        )
        return render(request, "web/_appointment_row.html", {"a": appointment})
    messages.success(request, _("Appointment updated."))
    return HttpResponseRedirect(request.POST.get("next") or reverse("web:dashboard"))


@staff_required
def patient_lookup(request: HttpRequest) -> HttpResponse:
    """Patient choices for the booking dialog (htmx, as the user types)."""
    from chairside.patients import selectors as patient_selectors

    query = request.GET.get("q", "").strip()
    patients = (
        patient_selectors.patient_list(user=request.user, q=query)[:10] if query else []
    )
    return render(request, "web/_patient_options.html", {"patients": patients})
