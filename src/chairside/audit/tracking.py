"""How a model joins the audit trail: one decorator.

    from chairside.audit.tracking import audited

    @audited()
    class Invoice(TimeStampedModel): ...

then `manage.py makemigrations <app>`. django-pghistory generates an event
model (`InvoiceEvent`, same app) and PostgreSQL triggers that write a snapshot
row for every insert ("create"), update ("update") and delete ("delete"),
whatever code path made the change (ORM, bulk update, raw SQL, a migration).
The event tables live in each clinic's schema and refuse UPDATE and DELETE
(a trigger), so the app cannot rewrite history. Who, from where and through
which request come from chairside.audit.middleware. See docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import pghistory
import pghistory.models
from django.db import models

M = TypeVar("M", bound=type[models.Model])

# Labels of the events every audited model records.
CREATE, UPDATE, DELETE = "create", "update", "delete"
# A read of a patient's medical history (a manual event).
MEDICAL_HISTORY_READ = "medical_history.read"
# A read of a patient's dental chart (a manual event on the patient, like
# the one above: chairside.dental.selectors.patient_chart).
CHART_READ = "chart.read"


class Event(pghistory.models.Event):
    """The base of every event model (settings.PGHISTORY_BASE_MODEL; named
    Event because pghistory names event models after it: InvoiceEvent): a
    64-bit id. Event rows are written by triggers, and on a Citus cluster a
    trigger runs on the worker holding the clinic, where a sequence can only
    be advanced if it is 64-bit (each node draws from its own range of it;
    docs/scale-out.md)."""

    pgh_id = models.BigAutoField(primary_key=True)

    class Meta:
        abstract = True


def audited(*extra: pghistory.Tracker, exclude: Sequence[str] = ()) -> Callable[[M], M]:
    """Track every create/update/delete of the decorated model.

    `extra` adds trackers (e.g. pghistory.ManualEvent("medical_history.read"));
    `exclude` leaves derived columns (search vectors, caches) out of snapshots.
    """
    return pghistory.track(
        pghistory.InsertEvent(CREATE),
        # auto_now timestamps alone are not a change worth an event.
        pghistory.UpdateEvent(UPDATE, condition=pghistory.AnyChange(exclude_auto=True)),
        pghistory.DeleteEvent(DELETE),
        *extra,
        exclude=list(exclude) or None,
        append_only=True,
    )
