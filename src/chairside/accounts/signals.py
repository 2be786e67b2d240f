"""A password or email address changed through allauth's pages ends the
user's other sessions and revokes their API tokens."""

from __future__ import annotations

from typing import Any

from allauth.account import signals
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from chairside.accounts.models import User
from chairside.accounts.services import CredentialChange, user_credentials_changed

CREDENTIAL_SIGNALS: dict[Signal, CredentialChange] = {
    signals.password_changed: "password_changed",
    signals.password_reset: "password_reset",
    signals.password_set: "password_set",
    signals.email_changed: "email_changed",
}


@receiver(list(CREDENTIAL_SIGNALS), dispatch_uid="chairside-credentials-changed")
def credentials_changed(
    signal: Signal, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """The browser that made the change stays signed in (allauth has already
    moved its session to the new password); everything else is closed. The
    user changed their own credentials (signed in, or with the reset key
    allauth checked), so they are the actor."""
    own = getattr(request, "user", None)
    keep = (
        request.session.session_key
        if request is not None and own is not None and own.pk == user.pk
        else None
    )
    user_credentials_changed(
        actor=user, user=user, reason=CREDENTIAL_SIGNALS[signal], keep_session_key=keep
    )
