"""Reminders for staff: what was sent, what failed and why, retry; the
clinic's reminder settings (admins change them). Who may is checked by the
services and selectors."""

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from chairside.accounts.auth import jwt_auth
from chairside.core.openapi import with_errors
from chairside.core.pagination import BoundedLimitOffsetPagination
from chairside.core.types import Id
from chairside.notifications import delivery, preferences
from chairside.notifications.models import NotificationSettings, Reminder
from chairside.notifications.schemas import (
    NotificationSettingsIn,
    NotificationSettingsOut,
    ReminderFilter,
    ReminderOut,
)
from chairside.notifications.selectors import notification_settings_for, reminder_list

router = Router(tags=["reminders"], auth=jwt_auth)


def _settings_out(cfg: NotificationSettings) -> NotificationSettingsOut:
    return NotificationSettingsOut(
        reminder_offsets_minutes=cfg.reminder_offsets_minutes,
        email_reminders=cfg.email_reminders,
        sms_reminders=cfg.sms_reminders,
        overdue_invoice_emails=cfg.overdue_invoice_emails,
    )


@router.get("/reminders", response=with_errors({200: list[ReminderOut]}))
@paginate(BoundedLimitOffsetPagination)
def list_reminders(request: HttpRequest, filters: Query[ReminderFilter]):
    """`?status=failed` lists the reminders that could not be sent."""
    return reminder_list(user=request.auth, status=filters.status, kind=filters.kind)


@router.post("/reminders/{reminder_id}/retry", response=with_errors({200: ReminderOut}))
def retry_reminder(request: HttpRequest, reminder_id: Id) -> Reminder:
    reminder = delivery.reminder_retry(actor=request.auth, reminder_id=reminder_id)

    def _queue() -> None:
        from chairside.notifications.tasks import queue_without_waiting, reminder_send

        queue_without_waiting(reminder_send, reminder.pk)

    # If the broker is down the next scan picks it up; never fail the request.
    transaction.on_commit(_queue, robust=True)
    return reminder


@router.get(
    "/notification-settings", response=with_errors({200: NotificationSettingsOut})
)
def get_notification_settings(request: HttpRequest) -> NotificationSettingsOut:
    return _settings_out(notification_settings_for(user=request.auth))


@router.put(
    "/notification-settings", response=with_errors({200: NotificationSettingsOut})
)
def update_notification_settings(
    request: HttpRequest, payload: NotificationSettingsIn
) -> NotificationSettingsOut:
    return _settings_out(
        preferences.notification_settings_update(
            actor=request.auth, **payload.dict(exclude_unset=True)
        )
    )
