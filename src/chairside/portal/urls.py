from django.urls import path

from chairside.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("book/", views.book, name="book"),
    path("visits/<int:appointment_id>/move/", views.book, name="reschedule"),
    path("visits/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice-pay"),
    path("payments/<int:payment_id>/", views.payment_status, name="payment-status"),
]
