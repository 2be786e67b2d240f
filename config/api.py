"""The two django-ninja APIs: one for the public site, one for every clinic."""

from __future__ import annotations

from ninja import NinjaAPI

from chairside.accounts.api import build_auth_router
from chairside.audit.api import router as audit_router
from chairside.billing.api import router as billing_router
from chairside.core.api import install_error_handlers
from chairside.dental.api import router as dental_router
from chairside.notifications.api import router as notifications_router
from chairside.patients.api import router as patients_router
from chairside.payments.api import router as payments_router
from chairside.privacy.api import router as privacy_router
from chairside.scheduling.api import router as scheduling_router
from chairside.treatment.api import router as treatment_router
from tenants.api import router as public_router

public_api = NinjaAPI(
    title="Chairside platform API",
    version="1",
    urls_namespace="public_api",
    description="Clinic signup and platform administration (base domain).",
)
public_api.add_router("", public_router)
public_api.add_router("", build_auth_router())
install_error_handlers(public_api)

clinic_api = NinjaAPI(
    title="Chairside clinic API",
    version="1",
    urls_namespace="clinic_api",
    description="Everything a clinic does, on <clinic>.<base-domain>/api/.",
)
clinic_api.add_router("", build_auth_router())
clinic_api.add_router("", patients_router)
clinic_api.add_router("", privacy_router)
clinic_api.add_router("", scheduling_router)
clinic_api.add_router("", dental_router)
clinic_api.add_router("", billing_router)
clinic_api.add_router("", treatment_router)
clinic_api.add_router("", payments_router)
clinic_api.add_router("", audit_router)
clinic_api.add_router("", notifications_router)
install_error_handlers(clinic_api)
