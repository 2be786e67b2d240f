from django.urls import path

from chairside.console import views

app_name = "console"
urlpatterns = [
    path("", views.clinic_list, name="clinics"),
    path("login/", views.ConsoleLogin.as_view(), name="login"),
    path("logout/", views.console_logout, name="logout"),
    path("clinics/new/", views.clinic_create, name="clinic-create"),
    path("clinics/<slug:slug>/", views.clinic_detail, name="clinic"),
    path("clinics/<slug:slug>/suspend/", views.clinic_suspend, name="clinic-suspend"),
    path(
        "clinics/<slug:slug>/reactivate/",
        views.clinic_reactivate,
        name="clinic-reactivate",
    ),
    path("clinics/<slug:slug>/plan/", views.clinic_change_plan, name="clinic-plan"),
]
