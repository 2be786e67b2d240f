from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient portal at /portal/ on a clinic's domain."""

    name = "chairside.portal"
    label = "portal"
