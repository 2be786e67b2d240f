"""Settings: dentists and their weekly hours, chairs, and the audit log.
Writes go through scheduling.resources; the log through audit.selectors."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from chairside.core.clinic_time import as_clinic_time
from chairside.core.errors import ChairsideError
from chairside.scheduling import resources as scheduling_resources
from chairside.scheduling import selectors as scheduling_selectors
from chairside.web.decorators import admin_required
from chairside.web.errors import form_error_from
from chairside.web.forms import (
    WEEKDAYS,
    AuditFilterForm,
    ChairForm,
    DentistForm,
    ShiftFormSet,
    shift_initial,
)

AUDIT_PAGE_SIZE = 50


@admin_required
def dentist_list(request: HttpRequest) -> HttpResponse:
    dentists = scheduling_selectors.dentist_list(
        user=request.user, active=None
    ).prefetch_related("working_hours")
    return render(
        request, "web/settings/dentists.html", {"dentists": dentists, "days": WEEKDAYS}
    )


def _shifts(formset, hours: list) -> list[dict]:
    """The week's shifts from the rows: a row shows a day's first shift
    only, so a row left as it was keeps every shift of its day (a split
    day's afternoon is not dropped for not being shown)."""
    shifts = []
    for f in formset.forms:
        day = f.cleaned_data["weekday"]
        if not f.has_changed():
            shifts += [
                {"weekday": day, "start_time": h.start_time, "end_time": h.end_time}
                for h in hours
                if h.weekday == day
            ]
        elif f.cleaned_data.get("start_time"):
            shifts.append(
                {
                    "weekday": day,
                    "start_time": f.cleaned_data["start_time"],
                    "end_time": f.cleaned_data["end_time"],
                }
            )
    return shifts


@admin_required
def dentist_edit(request: HttpRequest, dentist_id: int | None = None) -> HttpResponse:
    dentist = None
    if dentist_id is not None:
        dentist = scheduling_selectors.dentist_get(
            user=request.user, dentist_id=dentist_id
        )
    initial = (
        {
            f: getattr(dentist, f) or ""
            for f in ("first_name", "last_name", "email", "specialty", "license_number")
        }
        if dentist
        else None
    )
    form = DentistForm(request.POST or None, initial=initial)
    hours = list(dentist.working_hours.all()) if dentist else []
    shifts = ShiftFormSet(
        request.POST or None, initial=shift_initial(hours), prefix="hours"
    )
    if request.method == "POST" and form.is_valid() and shifts.is_valid():
        try:
            if dentist is None:
                dentist = scheduling_resources.dentist_create(
                    actor=request.user,
                    working_hours=_shifts(shifts, hours),
                    **form.cleaned_data,
                )
            else:
                scheduling_resources.dentist_update(
                    actor=request.user,
                    dentist=dentist,
                    changes={
                        **form.cleaned_data,
                        "working_hours": _shifts(shifts, hours),
                    },
                )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": dentist})
            return HttpResponseRedirect(reverse("web:settings-dentists"))
    bad = form.errors or shifts.total_error_count()
    return render(
        request,
        "web/settings/dentist_form.html",
        {"form": form, "shifts": shifts, "dentist": dentist, "days": dict(WEEKDAYS)},
        status=HTTPStatus.BAD_REQUEST if bad else HTTPStatus.OK,
    )


@admin_required
def chair_list(request: HttpRequest) -> HttpResponse:
    form = ChairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            chair = scheduling_resources.chair_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ChairsideError as exc:
            form_error_from(exc, form)
        else:
            messages.success(request, _("%(name)s added.") % {"name": chair.name})
            return HttpResponseRedirect(reverse("web:settings-chairs"))
    chairs = scheduling_selectors.chair_list(user=request.user, active=None)
    return render(
        request,
        "web/settings/chairs.html",
        {"form": form, "chairs": chairs},
        status=HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK,
    )


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    from chairside.audit import selectors as audit_selectors

    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    since = until = None
    if filters.get("date_from"):
        since = as_clinic_time(filters["date_from"])
    if filters.get("date_to"):
        until = as_clinic_time(filters["date_to"], end_of_day=True)
    actor_id = None
    if filters.get("actor"):
        from chairside.accounts.models import User

        # An address with no account matches nothing (id 0 is never used).
        actor_id = (
            User.objects.filter(email__iexact=filters["actor"])
            .values_list("pk", flat=True)
            .first()
        ) or 0
    events = audit_selectors.audit_event_list(
        user=request.user,
        model=filters.get("model") or None,
        object_id=filters.get("object_id") or None,
        action=filters.get("action") or None,
        actor_id=actor_id,
        since=since,
        until=until,
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    contexts = [event.pgh_context or {} for event in rows]
    ids = {c["user"] for c in contexts if isinstance(c.get("user"), int)}
    ids |= {c["reader"] for c in contexts if isinstance(c.get("reader"), int)}
    emails = audit_selectors.actor_emails(ids) if ids else {}
    entries = [
        {
            "at": event.pgh_created_at,
            "action": event.pgh_label,
            "model": event.pgh_obj_model,
            "object_id": event.pgh_obj_id,
            "actor": emails.get(context.get("user") or context.get("reader")),
            "ip": context.get("ip"),
            "changes": audit_selectors.redact(event.pgh_diff),
        }
        for event, context in zip(rows, contexts, strict=True)
    ]
    return render(
        request,
        "web/settings/audit.html",
        {"form": form, "page": page, "entries": entries},
    )
