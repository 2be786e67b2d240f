"""The appointment status machine, aware of the clock.

TRANSITIONS says which status may follow which; `transition_refusal` adds
when, judged in the clinic's time zone:

- check in: only on the visit's clinic day (the patient is at the desk that
  day; early arrivals and a dentist running late both happen, so the whole
  day, not a window around the start);
- complete and no-show: only once the visit has started;
- confirm: until the visit ends;
- cancel: any time while active; a checked-in visit needs a reason;
- checked in -> confirmed undoes a check-in made by mistake (staff only:
  patients change only scheduled or confirmed visits).

Who may ask is the policies' question; this module says what the clock and
the status allow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chairside.core.clinic_time import clinic_tz
from chairside.core.errors import ChairsideError, Conflict
from chairside.scheduling.errors import SchedulingErrorCode
from chairside.scheduling.models import Appointment, AppointmentStatus

S = AppointmentStatus
# Walk-ins may be checked in without confirming first.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.CONFIRMED, S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CONFIRMED: frozenset({S.CHECKED_IN, S.CANCELLED, S.NO_SHOW}),
    S.CHECKED_IN: frozenset({S.COMPLETED, S.CANCELLED, S.CONFIRMED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}
RESCHEDULABLE = frozenset({S.SCHEDULED, S.CONFIRMED})
# The action that moves a visit rather than changing its status.
RESCHEDULE = "reschedule"


def _on_its_clinic_day(appointment: Appointment, now: datetime) -> bool:
    tz = clinic_tz()
    return now.astimezone(tz).date() == appointment.starts_at.astimezone(tz).date()


def _started(appointment: Appointment, now: datetime) -> bool:
    return now >= appointment.starts_at


def _not_over_or_undoing_check_in(appointment: Appointment, now: datetime) -> bool:
    return appointment.status == S.CHECKED_IN or now < appointment.ends_at


# When each status may be reached: (rule, refusal message, refusal code).
WHEN: dict[str, tuple[Callable[[Appointment, datetime], bool], str, str]] = {
    S.CHECKED_IN: (
        _on_its_clinic_day,
        gettext_lazy("A patient can only be checked in on the day of the visit."),
        SchedulingErrorCode.CHECK_IN_NOT_TODAY,
    ),
    S.COMPLETED: (
        _started,
        gettext_lazy("A visit can only be completed once it has started."),
        SchedulingErrorCode.COMPLETE_TOO_EARLY,
    ),
    S.NO_SHOW: (
        _started,
        gettext_lazy("A patient can only miss an appointment once it has started."),
        SchedulingErrorCode.NO_SHOW_TOO_EARLY,
    ),
    S.CONFIRMED: (
        _not_over_or_undoing_check_in,
        gettext_lazy("This visit is over: it can no longer be confirmed."),
        SchedulingErrorCode.CONFIRM_TOO_LATE,
    ),
}


def transition_refusal(
    appointment: Appointment,
    new_status: str,
    *,
    now: datetime,
    cancellation_reason: str = "",
) -> ChairsideError | None:
    """Why `appointment` cannot become `new_status` now, or None if it can."""
    old = appointment.status
    if new_status not in TRANSITIONS[old]:
        return Conflict(
            _("An appointment that is %(old)s cannot become %(new)s.")
            % {"old": S(old).label, "new": S(new_status).label},
            code=SchedulingErrorCode.INVALID_TRANSITION,
            details={
                "from": old,
                "to": new_status,
                "allowed": sorted(TRANSITIONS[old]),
            },
        )
    if new_status in WHEN:
        rule, message, code = WHEN[new_status]
        if not rule(appointment, now):
            return Conflict(str(message), code=code)
    if new_status == S.CANCELLED and old == S.CHECKED_IN and not cancellation_reason:
        return ChairsideError(
            _("Say why a visit the patient is checked in for is cancelled."),
            code=SchedulingErrorCode.CANCELLATION_REASON_REQUIRED,
            details={"field": "cancellation_reason"},
        )
    return None


def statuses_allowed(appointment: Appointment, *, now: datetime) -> list[str]:
    """The statuses `appointment` may move to now (a cancellation of a
    checked-in visit counts as allowed: it needs only a reason)."""
    return sorted(
        status
        for status in TRANSITIONS[appointment.status]
        if transition_refusal(appointment, status, now=now, cancellation_reason="-")
        is None
    )
