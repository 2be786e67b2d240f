from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "chairside.notifications"
    label = "notifications"
