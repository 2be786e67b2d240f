from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "chairside.public_site"
    verbose_name = "Public site"
