"""The signed-in patient of a portal request, shared by every portal page."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from chairside.patients import selectors as patient_selectors
from chairside.patients.models import Patient


def current_patient(request: HttpRequest) -> Patient:
    """The patient record of the signed-in user; 404 while it is missing or
    archived (a portal page has nothing to show without one)."""
    patient = patient_selectors.patient_for_user(user=request.user)
    if patient is None or patient.is_archived:
        raise Http404(_("Your patient record is not set up yet."))
    return patient
