"""Patients of one clinic (in the clinic's schema)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Func, Value
from django.db.models.functions import Lower, Substr
from phonenumber_field.modelfields import PhoneNumberField

from chairside.audit.tracking import CHART_READ, MEDICAL_HISTORY_READ, audited
from chairside.core.fields import EncryptedTextField
from chairside.core.models import TimeStampedModel


def _regexp_replace(expression: object, pattern: str, replacement: str) -> Func:
    return Func(
        expression,
        Value(pattern),
        Value(replacement),
        Value("g"),
        function="REGEXP_REPLACE",
        output_field=models.TextField(),
    )


def _search_document() -> SearchVector:
    """Names, the email (whole, and the words of its local part) and phone
    digits, with and without a 1-3 digit country code, so "4155" finds
    +14155550123.

    The email's domain is not split into words: patients share a handful of
    domains, so "gma" or "hot" would match half the clinic (and in the
    benchmark, where every address is @patients.bench, "pat" and "ben"
    matched all 50,000), which buried the names asked for and made each such
    search count and rank every patient.

    Only immutable functions: PostgreSQL computes it as a stored generated
    column, kept right by every write path.
    """
    digits = _regexp_replace("phone", r"\D", "")
    local_part = Func(
        "email",
        Value("@"),
        Value(1),
        function="SPLIT_PART",
        output_field=models.TextField(),
    )
    return (
        SearchVector("first_name", "last_name", config="simple", weight="A")
        + SearchVector(
            "email",
            _regexp_replace(local_part, r"[._+-]+", " "),
            config="simple",
            weight="B",
        )
        + SearchVector(
            digits,
            Substr(digits, 2),
            Substr(digits, 3),
            Substr(digits, 4),
            config="simple",
            weight="C",
        )
    )


@audited(
    pghistory.ManualEvent(MEDICAL_HISTORY_READ),
    pghistory.ManualEvent(CHART_READ),
    exclude=["search_vector"],
)
class Patient(TimeStampedModel):
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    email = models.EmailField(max_length=100)
    # Stored in E.164 (+14155550123), parsed with the clinic's region.
    phone = PhoneNumberField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(blank=True)
    # Fernet-encrypted at rest (chairside.core.crypto); reads are audited.
    medical_history = EncryptedTextField(blank=True, default="")
    # The portal account of this patient, if they have one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
    )
    # Health records are retained: "deleting" a patient archives them.
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    search_vector = models.GeneratedField(
        expression=_search_document(),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="patient_email_unique_ci"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="patient_search_gin"),
            models.Index(fields=["is_archived", "last_name", "first_name"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        # Never let a debugger, log line or error report print the history.
        return f"<Patient {self.pk}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
