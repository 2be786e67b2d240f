"""URLs every host answers: health checks."""

from django.urls import path
from health_check.views import HealthCheckView

from chairside.core.health import ready_checks

urlpatterns = [
    path("health/live", HealthCheckView.as_view(checks=[]), name="health-live"),
    path(
        "health/ready",
        HealthCheckView.as_view(checks=ready_checks()),
        name="health-ready",
    ),
]
