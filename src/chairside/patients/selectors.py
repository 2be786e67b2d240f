"""Reading patients: who sees which, and the search."""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.core.errors import NotFound
from chairside.patients import policies
from chairside.patients.models import Patient

PATIENT_ORDERINGS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "date_of_birth": ("date_of_birth", "id"),
    "-date_of_birth": ("-date_of_birth", "-id"),
}
_PHONE_LIKE = re.compile(r"^[\d\s().+-]+$")
_WORD = re.compile(r"\w+", re.UNICODE)


def patient_search_query(q: str) -> SearchQuery | None:
    """Every word as a prefix ("jo smi" finds John Smith), all required.

    A query that looks like a phone number is one run of digits, matched as
    a prefix of the E.164 digits with or without the country code. In an
    email address only the part before the "@" counts: the search document
    has the words of an address's local part, not of its domain.
    """
    q = q.strip()
    if _PHONE_LIKE.match(q) and sum(c.isdigit() for c in q) >= 3:
        terms = ["".join(c for c in q if c.isdigit())]
    else:
        if "@" in q:
            q = q.split("@", 1)[0]
        terms = [t.lower() for t in _WORD.findall(q)][:8]
    if not terms:
        return None
    # Terms are \w+ only, so they cannot inject tsquery operators.
    raw = " & ".join(f"{term}:*" for term in terms)
    return SearchQuery(raw, search_type="raw", config="simple")


def patient_list(
    *,
    user: User,
    q: str | None = None,
    archived: bool | None = False,
    ordering: str = "name",
) -> QuerySet[Patient]:
    ensure(policies.can_list_patients(user))
    patients = Patient.objects.defer("medical_history", "search_vector")
    if archived is not None:
        patients = patients.filter(is_archived=archived)
    if q:
        query = patient_search_query(q)
        if query is None:
            return patients.none()
        return (
            patients.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "last_name", "first_name", "id")
        )
    return patients.order_by(*PATIENT_ORDERINGS[ordering])


def patient_get(*, user: User, patient_id: int) -> Patient:
    """The patient, if this user may see them; otherwise a 404 (never a
    403 that would confirm the id exists)."""
    patient = Patient.objects.defer("search_vector").filter(pk=patient_id).first()
    if patient is None or not policies.can_view_patient(user, patient):
        raise NotFound(_("No such patient."))
    return patient


def patient_for_user(*, user: User) -> Patient | None:
    """The record linked to a patient's portal account."""
    return Patient.objects.defer("search_vector").filter(user=user).first()
