"""The clinic's reminder settings: when, by which channel, and the online
cancellation window."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure, is_clinic_admin
from chairside.core.errors import ChairsideError
from chairside.notifications.errors import NotificationsErrorCode as Code
from chairside.notifications.models import NotificationSettings


@transaction.atomic
def notification_settings_update(
    *,
    actor: User,
    reminder_offsets_minutes: list[int] | None = None,
    email_reminders: bool | None = None,
    sms_reminders: bool | None = None,
    overdue_invoice_emails: bool | None = None,
) -> NotificationSettings:
    ensure(is_clinic_admin(actor))
    cfg, _created = NotificationSettings.objects.select_for_update().get_or_create(pk=1)
    if reminder_offsets_minutes is not None:
        offsets = sorted(set(reminder_offsets_minutes), reverse=True)
        if len(offsets) > 5 or any(not 5 <= o <= 14 * 24 * 60 for o in offsets):
            raise ChairsideError(
                _("Give up to 5 reminder times, each 5 minutes to 14 days before."),
                code=Code.OFFSETS_INVALID,
            )
        cfg.reminder_offsets_minutes = offsets
    for field, value in (
        ("email_reminders", email_reminders),
        ("sms_reminders", sms_reminders),
        ("overdue_invoice_emails", overdue_invoice_emails),
    ):
        if value is not None:
            setattr(cfg, field, value)
    cfg.full_clean()
    cfg.save()
    return cfg
