from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "chairside.payments"
    label = "payments"

    def ready(self) -> None:
        from chairside.payments import gateway

        gateway.configure()
