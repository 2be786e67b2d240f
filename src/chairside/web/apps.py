from django.apps import AppConfig


class WebConfig(AppConfig):
    """Staff pages on a clinic's domain (server-rendered, htmx)."""

    name = "chairside.web"
    label = "web"
