"""URLs of the bare-Django baseline server (tests.bench.settings_bare)."""

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path

from chairside.patients.models import Patient

# The same row the API answers a receptionist with (PatientOut's fields; the
# medical history is null for the front desk), so both write the same JSON.
FIELDS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "address",
    "user_id",
    "is_archived",
    "archived_at",
    "created_at",
    "updated_at",
)


def patient_detail(request: HttpRequest, patient_id: int) -> JsonResponse:
    row = Patient.objects.filter(pk=patient_id).values(*FIELDS).first()
    if row is None:
        raise Http404
    row["phone"] = str(row["phone"] or "")
    row["medical_history"] = None
    return JsonResponse(row)


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bare/patients/<int:patient_id>", patient_detail),
    path("health/live", live),
]
