from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "chairside.scheduling"
    label = "scheduling"
