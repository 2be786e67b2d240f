from django.urls import path

from chairside.web.views import (
    billing,
    calendar,
    catalogue,
    chart,
    dashboard,
    patients,
    resources,
    settings,
    treatment,
)

app_name = "web"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar-events"),
    path("calendar/book/", calendar.calendar_book, name="calendar-book"),
    path("calendar/patients/", calendar.patient_lookup, name="calendar-patients"),
    path(
        "appointments/<int:appointment_id>/move/",
        calendar.calendar_move,
        name="appointment-move",
    ),
    path(
        "appointments/<int:appointment_id>/edit/",
        calendar.appointment_edit,
        name="appointment-edit",
    ),
    path(
        "appointments/<int:appointment_id>/status/",
        calendar.appointment_status,
        name="appointment-status",
    ),
    path("patients/", patients.patient_list, name="patients"),
    path("patients/new/", patients.patient_create, name="patient-create"),
    path("patients/<int:patient_id>/", patients.patient_detail, name="patient"),
    path("patients/<int:patient_id>/edit/", patients.patient_edit, name="patient-edit"),
    path(
        "patients/<int:patient_id>/history/",
        patients.patient_history,
        name="patient-history",
    ),
    # Treatment plans (web/views/treatment.py).
    path(
        "patients/<int:patient_id>/treatment-plans/",
        treatment.plan_list,
        name="treatment-plans",
    ),
    path(
        "patients/<int:patient_id>/treatment-plans/new/",
        treatment.plan_create,
        name="treatment-plan-create",
    ),
    path(
        "treatment-plans/<int:plan_id>/", treatment.plan_detail, name="treatment-plan"
    ),
    path(
        "treatment-plans/<int:plan_id>/items/",
        treatment.plan_item_add,
        name="treatment-plan-item-add",
    ),
    path(
        "treatment-plans/<int:plan_id>/items/<int:item_id>/remove/",
        treatment.plan_item_remove,
        name="treatment-plan-item-remove",
    ),
    path(
        "treatment-plans/<int:plan_id>/present/",
        treatment.plan_present,
        name="treatment-plan-present",
    ),
    path(
        "treatment-plans/<int:plan_id>/revise/",
        treatment.plan_revise,
        name="treatment-plan-revise",
    ),
    path(
        "treatment-plans/<int:plan_id>/sign/",
        treatment.plan_sign,
        name="treatment-plan-sign",
    ),
    path(
        "treatment-plans/<int:plan_id>/estimate.pdf",
        treatment.plan_estimate,
        name="treatment-plan-estimate",
    ),
    path(
        "treatment-plans/<int:plan_id>/phases/<int:phase>/book/",
        treatment.plan_phase_book,
        name="treatment-plan-book",
    ),
    path(
        "treatment-plans/<int:plan_id>/visits/<int:appointment_id>/complete/",
        treatment.visit_complete,
        name="treatment-visit-complete",
    ),
    path(
        "treatment-plans/<int:plan_id>/visits/<int:appointment_id>/invoice/",
        treatment.visit_invoice,
        name="treatment-visit-invoice",
    ),
    # The chart (views/chart.py).
    path("patients/<int:patient_id>/chart/", chart.chart_page, name="patient-chart"),
    path(
        "patients/<int:patient_id>/chart/entries/",
        chart.chart_entry_add,
        name="patient-chart-add",
    ),
    path(
        "patients/<int:patient_id>/chart/entries/<int:entry_id>/complete/",
        chart.chart_entry_complete,
        name="chart-entry-complete",
    ),
    path(
        "patients/<int:patient_id>/chart/entries/<int:entry_id>/invalidate/",
        chart.chart_entry_invalidate,
        name="chart-entry-invalidate",
    ),
    path("chart/codes/", chart.code_search, name="chart-code-search"),
    path(
        "patients/<int:patient_id>/fee-schedule/",
        catalogue.patient_fee_schedule,
        name="patient-fee-schedule",
    ),
    path("invoices/", billing.invoice_list, name="invoices"),
    path("invoices/new/", billing.invoice_create, name="invoice-create"),
    path("invoices/<int:invoice_id>/", billing.invoice_detail, name="invoice"),
    path(
        "invoices/<int:invoice_id>/pdf/", billing.invoice_download, name="invoice-pdf"
    ),
    path(
        "invoices/<int:invoice_id>/payments/",
        billing.payment_record,
        name="payment-record",
    ),
    path(
        "payments/<int:payment_id>/refund/",
        billing.payment_refund,
        name="payment-refund",
    ),
    path(
        "payments/<int:payment_id>/receipt/",
        billing.payment_receipt,
        name="payment-receipt",
    ),
    path("settings/", settings.settings_index, name="settings"),
    path("settings/profile/", settings.clinic_profile, name="settings-profile"),
    path(
        "settings/reminders/",
        settings.notification_settings,
        name="settings-notifications",
    ),
    path(
        "settings/online-booking/",
        settings.scheduling_settings,
        name="settings-scheduling",
    ),
    path("settings/staff/", settings.staff, name="settings-staff"),
    path("settings/dentists/", resources.dentist_list, name="settings-dentists"),
    path("settings/dentists/new/", resources.dentist_edit, name="settings-dentist-new"),
    path(
        "settings/dentists/<int:dentist_id>/",
        resources.dentist_edit,
        name="settings-dentist",
    ),
    path("settings/chairs/", resources.chair_list, name="settings-chairs"),
    path("settings/audit/", resources.audit_log, name="settings-audit"),
    path("settings/stripe/", settings.stripe_connection, name="settings-stripe"),
    # The catalogue, its import, fee schedules, notation (views/catalogue.py).
    path("settings/catalogue/", catalogue.code_list, name="catalogue"),
    path("settings/catalogue/new/", catalogue.code_edit, name="catalogue-new"),
    path(
        "settings/catalogue/<int:code_id>/", catalogue.code_edit, name="catalogue-code"
    ),
    path(
        "settings/catalogue/<int:code_id>/active/",
        catalogue.code_set_active,
        name="catalogue-code-active",
    ),
    path("settings/catalogue/import/", catalogue.code_import, name="catalogue-import"),
    path(
        "settings/catalogue/import/example.csv",
        catalogue.code_import_example,
        name="catalogue-import-example",
    ),
    path("settings/fees/", catalogue.fee_schedule_list, name="fee-schedules"),
    path(
        "settings/fees/<int:schedule_id>/",
        catalogue.fee_schedule_edit,
        name="fee-schedule",
    ),
    path("settings/notation/", catalogue.notation_settings, name="settings-notation"),
]
