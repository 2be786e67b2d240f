"""URLs every host answers: health checks.

The probes run outside a request transaction (ATOMIC_REQUESTS): they only
read, and django-health-check's views are async, which Django cannot wrap.
"""

from django.db.transaction import non_atomic_requests
from django.urls import path
from health_check.views import HealthCheckView

from chairside.core.health import ready_checks

urlpatterns = [
    path(
        "health/live",
        non_atomic_requests(HealthCheckView.as_view(checks=[])),
        name="health-live",
    ),
    path(
        "health/ready",
        non_atomic_requests(HealthCheckView.as_view(checks=ready_checks())),
        name="health-ready",
    ),
]
