from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "chairside.patients"
    label = "patients"
