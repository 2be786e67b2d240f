"""Short-lived, one-time sign-in links (used right after clinic signup, when
the owner's account lives in a schema the public site cannot log into).

Like Django's password-reset tokens, the signed payload carries the user's
last_login: signing in changes it, so a link works once and no table is
needed. The signature also binds the link to one clinic.
"""

from __future__ import annotations

from django.core import signing

from chairside.accounts.models import User

SALT = "chairside.web.login-link"
MAX_AGE_SECONDS = 120


def _login_state(user: User) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def login_token_make(*, schema_name: str, user: User) -> str:
    return signing.dumps(
        {"s": schema_name, "u": user.pk, "l": _login_state(user)}, salt=SALT
    )


def login_token_user(
    *, token: str, schema_name: str, max_age: int = MAX_AGE_SECONDS
) -> User | None:
    """The user the token signs in, or None if it is forged, expired, used or
    meant for another clinic. Call it inside the clinic's schema."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != schema_name:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or _login_state(user) != data.get("l"):
        return None
    return user
