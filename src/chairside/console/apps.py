from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The platform admins' console on the public domain."""

    name = "chairside.console"
    label = "console"
