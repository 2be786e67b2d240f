"""Who is acting: a signed-in person, or Chairside itself.

Every service that changes clinic data takes `actor` and checks its policy
itself, so no adapter (API, page, portal, task, link, webhook) can forget
to. A person is an `accounts.User`. Work nobody signed in for — a Celery
task, a verified Stripe webhook, a signed reminder link — runs as a
`SystemActor`: it has no role, so no person's policy ever grants it
anything, and a service that accepts it says so explicitly
(`ensure_system`). `on_behalf` says for whom and how, and goes into the
audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from chairside.core.errors import PermissionDenied


@dataclass(frozen=True, slots=True)
class SystemActor:
    name: str
    on_behalf: str = ""

    # What person policies read off a user: a system actor is none of them.
    is_authenticated = True
    is_active = True
    role = ""
    pk = None

    def acting_for(self, on_behalf: str) -> SystemActor:
        return SystemActor(self.name, on_behalf)

    def __str__(self) -> str:
        return f"system:{self.name}"


# The system's parts that change clinic data by themselves.
REMINDERS = SystemActor("reminders")
REMINDER_LINK = SystemActor("reminder-link")
STRIPE_WEBHOOK = SystemActor("stripe-webhook")
SIGNUP = SystemActor("signup")
COMMAND = SystemActor("command")  # manage.py commands run by an operator
DEMO_SEED = SystemActor("demo-seed")
OVERDUE = SystemActor("overdue-invoices")  # the hourly overdue-invoice run


F = TypeVar("F", bound=Callable[..., Any])


def no_actor(reason: str) -> Callable[[F], F]:
    """Mark a function that changes clinic data yet takes no actor, saying
    why (tests/test_adapter_contract.py reads the reason): e.g. signing in,
    whose caller is unknown until the password is checked."""

    def mark(function: F) -> F:
        function.no_actor_reason = reason  # type: ignore[attr-defined]
        return function

    return mark


def is_system(actor: Any, *allowed: SystemActor) -> bool:
    """True for a system actor (one of `allowed`, compared by name, if given)."""
    if not isinstance(actor, SystemActor):
        return False
    return not allowed or actor.name in {a.name for a in allowed}


def ensure_system(actor: Any, *allowed: SystemActor) -> None:
    if not is_system(actor, *allowed):
        raise PermissionDenied(_("You do not have permission to do this."))


def audit_actor(actor: Any) -> dict[str, Any]:
    """The pghistory context keys that name `actor` in the audit trail."""
    if isinstance(actor, SystemActor):
        context: dict[str, Any] = {"actor": "system", "system": actor.name}
        if actor.on_behalf:
            context["on_behalf"] = actor.on_behalf
        return context
    return {"user": getattr(actor, "pk", None)}
