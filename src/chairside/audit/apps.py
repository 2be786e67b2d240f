from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chairside.audit"
    label = "audit"
