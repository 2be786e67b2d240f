"""GET /api/audit — clinic admins read the trail; nobody writes it here."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from chairside.accounts.auth import jwt_auth
from chairside.audit import selectors
from chairside.audit.schemas import AuditEventOut, AuditFilter
from chairside.core.clinic_time import as_clinic_time
from chairside.core.openapi import with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination

router = Router(tags=["audit"], auth=jwt_auth)


def _shape(events: list[Any]) -> list[dict[str, Any]]:
    contexts = [event.pgh_context or {} for event in events]
    ids = {c["user"] for c in contexts if isinstance(c.get("user"), int)}
    emails = selectors.actor_emails(ids) if ids else {}
    rows = []
    for event, context in zip(events, contexts, strict=True):
        actor = context.get("user") if isinstance(context.get("user"), int) else None
        rows.append(
            {
                "at": event.pgh_created_at,
                "action": selectors.action(event),
                "model": event.pgh_obj_model,
                "object_id": str(event.pgh_obj_id),
                "actor_id": actor,
                "actor_email": emails.get(actor),
                "ip": context.get("ip"),
                "method": context.get("method"),
                "path": context.get("url"),
                "changes": selectors.changes(event),
                "snapshot": selectors.redact(event.pgh_data),
            }
        )
    return rows


class AuditPagination(BoundedLimitOffsetPagination):
    """Pages of events, shaped with one extra query for the actors' emails."""

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = _shape(list(page["items"]))
        return page


@router.get("/audit", response=with_errors({200: list[AuditEventOut]}))
@paginate(AuditPagination)
def list_audit_events(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    return selectors.audit_event_list(
        user=request.auth,
        model=filters.model,
        object_id=filters.object_id,
        action=filters.action,
        actor_id=filters.actor,
        since=as_clinic_time(filters.date_from) if filters.date_from else None,
        until=(
            as_clinic_time(filters.date_to, end_of_day=True)
            if filters.date_to
            else None
        ),
    )
