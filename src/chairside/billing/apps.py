from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "chairside.billing"
    label = "billing"
