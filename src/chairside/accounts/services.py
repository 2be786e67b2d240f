"""Creating accounts, closing them, and issuing, rotating and revoking API
tokens; every credential change ends what was opened under the old one."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chairside.accounts import policies
from chairside.accounts.errors import AuthErrorCode
from chairside.accounts.models import RefreshToken, Role, TokenFamily, User
from chairside.accounts.tokens import token_decode, token_encode
from chairside.core.actors import (
    COMMAND,
    DEMO_SEED,
    SIGNUP,
    SystemActor,
    is_system,
    no_actor,
)
from chairside.core.db import constraint_name, unique_key
from chairside.core.errors import ChairsideError, Conflict, NotAuthenticated
from chairside.core.localcache import LocalTTLCache


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_in: int


def user_create(
    *,
    actor: User | SystemActor,
    email: str,
    password: str | None,
    role: Role | str,
    first_name: str = "",
    last_name: str = "",
    email_verified: bool = True,
) -> User:
    """Create an account in the current schema, with its allauth email record.

    A clinic admin creates the accounts of their clinic (staff invites); a
    new clinic's owner is created by its provisioning (SIGNUP), and an
    operator's command or the demo seed create accounts as themselves.
    """
    policies.ensure(
        is_system(actor, SIGNUP, COMMAND, DEMO_SEED)
        or policies.can_create_account(actor)
    )
    email = User.objects.normalize_email(email).lower()
    user = User(email=email, first_name=first_name, last_name=last_name, role=role)
    if password is not None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ChairsideError(
                " ".join(exc.messages),
                code=AuthErrorCode.PASSWORD_INVALID,
                details={"field": "password", "problems": exc.messages},
            ) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=email_verified
            )
    except IntegrityError as exc:
        if constraint_name(exc) not in _EMAIL_TAKEN_CONSTRAINTS:
            raise
        raise Conflict(
            _("An account with this email already exists."),
            code=AuthErrorCode.EMAIL_TAKEN,
            details={"field": "email"},
        ) from exc
    return user


# The account's email, or allauth's copy of it, is someone else's already.
_EMAIL_TAKEN_CONSTRAINTS = frozenset(
    {
        unique_key(User, "email"),
        "account_emailaddress_user_id_email_987c8728_uniq",
        "unique_primary_email",
        "unique_verified_email",
    }
)


# What changed; recorded as the revoked token families' reason.
CredentialChange = Literal[
    "password_changed",
    "password_reset",
    "password_set",
    "email_changed",
    "user_deactivated",
    "user_erased",
]


@transaction.atomic
def user_credentials_changed(
    *,
    actor: User,
    user: User,
    reason: CredentialChange,
    keep_session_key: str | None = None,
) -> None:
    """Close every way in that was opened under the user's old credentials.

    Every API token family of the user is revoked (its access tokens stop
    at once, in every process; its refresh tokens are refused), and every
    browser session of the user ends except `keep_session_key`, the one
    that made the change. Called from allauth's signals (accounts.signals)
    and from every service here that changes a password, an email address,
    a role or whether the account works: a new one must call it too.
    The actor is the user themself (allauth's pages: a signed-in change, or
    a reset proven by the emailed key) or an admin managing the account.
    """
    policies.ensure(actor.pk == user.pk or policies.can_manage_account(actor, user))
    TokenFamily.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    _families_forget(user_id=user.pk)
    _sessions_end(user_id=user.pk, keep_session_key=keep_session_key)


def _sessions_end(*, user_id: int, keep_session_key: str | None) -> None:
    # The user id sits inside each session's signed data, so the schema's
    # live sessions are read to find this user's: a rare write (credential
    # changes), and no second table to keep in step with Django's.
    live = Session.objects.filter(expire_date__gt=timezone.now()).exclude(
        session_key=keep_session_key or ""
    )
    ended = [
        session.session_key
        for session in live.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user_id)
    ]
    Session.objects.filter(session_key__in=ended).delete()


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> None:
    """Disable an account: it can no longer sign in, and every token and
    session it holds stops working."""
    policies.ensure(policies.can_manage_account(actor, user))
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_credentials_changed(actor=actor, user=user, reason="user_deactivated")


@transaction.atomic
def user_erase(*, actor: User, user: User) -> None:
    """Delete an account for good (right to erasure): its email addresses,
    token families and sessions go with it. Records that named it as their
    author keep an empty author (SET_NULL)."""
    policies.ensure(policies.can_manage_account(actor, user))
    user_credentials_changed(actor=actor, user=user, reason="user_erased")
    user.delete()


def _token_pair_for(family: TokenFamily) -> TokenPair:
    now = timezone.now()
    jti = uuid.uuid4()
    refresh_expires = now + settings.JWT_REFRESH_TOKEN_LIFETIME
    RefreshToken.objects.create(jti=jti, family=family, expires_at=refresh_expires)
    lifetime = settings.JWT_ACCESS_TOKEN_LIFETIME
    return TokenPair(
        access=token_encode(
            token_type="access",
            user_id=family.user_id,
            family_id=family.pk,
            issued_at=now,
            expires_at=now + lifetime,
        ),
        refresh=token_encode(
            token_type="refresh",
            user_id=family.user_id,
            family_id=family.pk,
            issued_at=now,
            expires_at=refresh_expires,
            jti=jti,
        ),
        access_expires_in=int(lifetime.total_seconds()),
    )


@no_actor("signing in: the user has just proven who they are (password or link)")
def tokens_issue(*, user: User) -> TokenPair:
    with transaction.atomic():
        family = TokenFamily.objects.create(user=user)
        return _token_pair_for(family)


@no_actor("signing in: the caller is unknown until the password is checked")
def tokens_obtain(*, email: str, password: str) -> TokenPair:
    """Sign in with email and password; the account must belong to this schema."""
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None:
        raise NotAuthenticated(
            _("Email or password is incorrect."),
            code=AuthErrorCode.CREDENTIALS_INVALID,
        )
    return tokens_issue(user=user)


@no_actor("the refresh token is the caller's only credential; it is verified here")
def tokens_refresh(*, refresh_token: str) -> TokenPair:
    """Rotate a refresh token: it works once; using it again revokes its family."""
    claims = token_decode(refresh_token, token_type="refresh")
    reused = False
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update(of=("self", "family"))
            .select_related("family__user")
            .filter(jti=claims["jti"], family_id=claims["fam"])
            .first()
        )
        if token is None or token.family.revoked_at is not None:
            raise NotAuthenticated(
                _("The token has been revoked."), code=AuthErrorCode.TOKEN_REVOKED
            )
        family = token.family
        if token.used_at is not None:
            # A spent token came back: someone holds a copy. Revoke the whole
            # sign-in, the legitimate holder included, and make them log in.
            family.revoked_at = timezone.now()
            family.revoked_reason = "refresh_reuse"
            family.save(update_fields=["revoked_at", "revoked_reason"])
            _families_forget(family_id=family.pk)
            reused = True
        elif not family.user.is_active:
            raise NotAuthenticated(
                _("This account is disabled."), code=AuthErrorCode.ACCOUNT_DISABLED
            )
        else:
            token.used_at = timezone.now()
            token.save(update_fields=["used_at"])
            pair = _token_pair_for(family)
    if reused:
        raise NotAuthenticated(
            _("This refresh token was already used; please sign in again."),
            code=AuthErrorCode.TOKEN_REUSED,
            keeps_writes=True,  # the revocation above must stand
        )
    return pair


@no_actor("logging out: holding the refresh token is the right to revoke it")
def tokens_revoke(*, refresh_token: str) -> None:
    """Log out: the refresh token's family and its access tokens stop working."""
    claims = token_decode(refresh_token, token_type="refresh")
    TokenFamily.objects.filter(pk=claims["fam"], revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason="logout"
    )
    _families_forget(family_id=claims["fam"])


# Every API call checks its access token's family; the answer is kept per
# process (chairside.core.localcache): ACCESS_TOKEN_CACHE_SYNCED_SECONDS (60)
# while the process reads the cache invalidation stream, else
# ACCESS_TOKEN_CACHE_SECONDS (5). Only live families are kept: logout,
# refresh-token reuse and deactivation drop them here at once and in every
# process within about a second of the commit. Keyed by schema, so clinics
# never share entries.
_live_families: LocalTTLCache[User] = LocalTTLCache()


def _family_cache_seconds() -> float:
    return float(getattr(settings, "ACCESS_TOKEN_CACHE_SECONDS", 5))


def _family_synced_cache_seconds() -> float:
    return float(getattr(settings, "ACCESS_TOKEN_CACHE_SYNCED_SECONDS", 60))


def _family_tag(schema: str, family_id: int) -> str:
    return f"{schema}:family:{family_id}"


def _user_tag(schema: str, user_id: int) -> str:
    return f"{schema}:user:{user_id}"


def _families_forget(*, family_id: int | None = None, user_id: int | None = None):
    schema = connection.schema_name
    if family_id is not None:
        _live_families.forget_tag(_family_tag(schema, family_id))
    if user_id is not None:
        _live_families.forget_tag(_user_tag(schema, user_id))


def access_token_user(token: str) -> User:
    """The active user an access token speaks for, or NotAuthenticated."""
    claims = token_decode(token, token_type="access")
    key = (connection.schema_name, claims["fam"], claims["sub"])
    cached = _live_families.get(key)
    if cached is not None:
        # A copy per request: callers may set attributes on request.user.
        return copy.copy(cached)
    family = (
        TokenFamily.objects.select_related("user")
        .filter(pk=claims["fam"], user_id=claims["sub"])
        .first()
    )
    if family is None or family.revoked_at is not None:
        raise NotAuthenticated(
            _("The token has been revoked."), code=AuthErrorCode.TOKEN_REVOKED
        )
    if not family.user.is_active:
        raise NotAuthenticated(
            _("This account is disabled."), code=AuthErrorCode.ACCOUNT_DISABLED
        )
    _live_families.set(
        key,
        copy.copy(family.user),
        ttl=_family_cache_seconds(),
        synced_ttl=_family_synced_cache_seconds(),
        tags=[
            _family_tag(key[0], family.pk),
            _user_tag(key[0], family.user_id),
        ],
    )
    return family.user
