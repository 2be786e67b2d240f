from django.urls import path

from chairside.portal import treatment, views

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
    path("treatment-plans/", treatment.plans, name="treatment-plans"),
    path("treatment-plans/<int:plan_id>/", treatment.plan, name="treatment-plan"),
    path(
        "treatment-plans/<int:plan_id>/decline/",
        treatment.plan_decline,
        name="treatment-plan-decline",
    ),
    path(
        "treatment-plans/<int:plan_id>/estimate.pdf",
        treatment.plan_estimate,
        name="treatment-plan-estimate",
    ),
]
