from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chairside.accounts"
    label = "accounts"
