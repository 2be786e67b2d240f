"""Reading the audit trail (every tracked model, one query via pghistory's
Events view)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from pghistory.models import Events

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.audit import policies

# Values the trail never shows, even as ciphertext: it says *that* they
# changed (or were read), not what they are.
REDACTED_FIELDS = frozenset({"medical_history", "search_vector"})
REDACTED = "[redacted]"


def audit_event_list(
    *,
    user: User,
    model: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Events]:
    ensure(policies.can_read_audit_trail(user))
    events = Events.objects.order_by("-pgh_created_at", "-pgh_id")
    if model:
        events = events.filter(pgh_obj_model=model)
    if object_id:
        events = events.filter(pgh_obj_id=object_id)
    if action:
        events = events.filter(pgh_label=action)
    if actor_id is not None:
        events = events.filter(pgh_context__user=actor_id)
    if since is not None:
        events = events.filter(pgh_created_at__gte=since)
    if until is not None:
        events = events.filter(pgh_created_at__lt=until)
    return events


def redact(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {k: (REDACTED if k in REDACTED_FIELDS else v) for k, v in data.items()}


def actor_emails(user_ids: set[int]) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))


# Bookkeeping columns that change with every write; not worth showing.
NOISE_FIELDS = frozenset({"updated_at", "created_at"})


def changes(event: Any) -> dict[str, Any] | None:
    """{field: [old, new]} for updates; None for creates, deletes and reads
    (their snapshot says it all)."""
    if event.pgh_label != "update" or not event.pgh_diff:
        return None
    return redact({k: v for k, v in event.pgh_diff.items() if k not in NOISE_FIELDS})


def action(event: Any) -> str:
    """The event's label, with archiving/restoring named as such (they are
    updates of is_archived to the database)."""
    flip = (
        (event.pgh_diff or {}).get("is_archived")
        if event.pgh_label == "update"
        else None
    )
    if flip == [False, True]:
        return "archive"
    if flip == [True, False]:
        return "restore"
    return event.pgh_label
