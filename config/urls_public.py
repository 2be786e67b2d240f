"""The base domain: public site, signup, platform console, public API."""

from django.contrib import admin
from django.urls import include, path, re_path

from chairside.accounts import views as account_views
from chairside.core.api import api_not_found
from chairside.public_site import views
from config.api import public_api

urlpatterns = [
    path("", include("config.urls_common")),
    path("stripe/", include("chairside.payments.urls")),
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("pricing/", views.pricing, name="pricing"),
    path("find-clinic/", views.find_clinic, name="find-clinic"),
    path("i18n/setlang/", account_views.set_language, name="set-language"),
    path("console/", include("chairside.console.urls")),
    path("admin/", admin.site.urls),
    path("api/", public_api.urls),
    re_path(r"^api/", api_not_found),
]
