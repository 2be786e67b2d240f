from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Clinics"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from tenants.schema_clone import keep_template_current

        # migrate_schemas keeps the clinic template (what new clinics are
        # copied from) in step with the clinics.
        post_migrate.connect(keep_template_current, sender=self)
