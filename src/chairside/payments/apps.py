from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "chairside.payments"
    label = "payments"
