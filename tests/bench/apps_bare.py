"""App configs for the bare-Django baseline server only (settings_bare)."""

from __future__ import annotations

from allauth.account.apps import AccountConfig


class AccountModelsOnly(AccountConfig):
    """allauth's account models, which chairside.accounts imports when it
    loads, without allauth's start-up check for its middleware: the bare
    server signs nobody in and runs no middleware at all."""

    def ready(self) -> None:
        pass
