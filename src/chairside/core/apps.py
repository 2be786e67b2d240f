from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chairside.core"
    label = "core"
