from django.urls import path

from chairside.notifications import views

urlpatterns = [
    path("confirm/<str:token>/", views.appointment_confirm, name="appointment-confirm"),
    path("cancel/<str:token>/", views.appointment_cancel, name="appointment-cancel"),
]
