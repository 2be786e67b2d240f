from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chairside.accounts"
    label = "accounts"

    def ready(self) -> None:
        # allauth's password and email signals (credentials_changed).
        from chairside.accounts import signals  # noqa: F401
