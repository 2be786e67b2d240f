"""A clinic's domain: staff app, patient portal, clinic API."""

from django.urls import include, path, re_path

from chairside.accounts import views as account_views
from chairside.core.api import api_not_found
from config.api import clinic_api

urlpatterns = [
    path("", include("config.urls_common")),
    path("stripe/", include("chairside.payments.urls")),
    path("", account_views.clinic_home, name="clinic-home"),
    path("accounts/", include("allauth.urls")),
    path("welcome/<str:token>/", account_views.welcome, name="welcome"),
    path("i18n/setlang/", account_views.set_language, name="set-language"),
    path("app/", include("chairside.web.urls")),
    path("portal/", include("chairside.portal.urls")),
    path("appointments/", include("chairside.notifications.urls")),
    path("api/", clinic_api.urls),
    re_path(r"^api/", api_not_found),
]
