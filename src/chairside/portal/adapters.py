"""django-allauth on clinic domains (ACCOUNT_ADAPTER): patients sign
themselves up and get their Patient record; staff are invited by their
clinic's admin (accounts.invites) and never sign up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import connection, transaction
from django.http import HttpRequest

from chairside.accounts.models import Role, User
from chairside.patients.models import Patient


def _on_clinic_domain(request: HttpRequest | None) -> bool:
    tenant = getattr(request, "tenant", None) or getattr(connection, "tenant", None)
    return tenant is not None and getattr(tenant, "schema_name", "public") != "public"


class ClinicAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Patient self-signup on a clinic's own domain; nowhere else."""
        return _on_clinic_domain(request)

    @transaction.atomic
    def save_user(
        self, request: HttpRequest, user: User, form: object, commit: bool = True
    ) -> User:
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        user.role = Role.PATIENT
        user.first_name = data.get("first_name", user.first_name)[:50]
        user.last_name = data.get("last_name", user.last_name)[:50]
        if commit:
            user.save()
            patient_record_for_signup(user)
        return user

    def confirm_email(self, request: HttpRequest, email_address) -> bool:  # type: ignore[no-untyped-def]
        confirmed = super().confirm_email(request, email_address)
        user = email_address.user
        if confirmed and user.role == Role.PATIENT:
            patient_record_for_signup(user, email_verified=True)
        return confirmed


def patient_record_for_signup(user: User, *, email_verified: bool = False) -> None:
    """Give a new portal account its Patient record.

    If the clinic already has a record with this email (staff entered the
    patient before), it is linked only once the email is verified: owning the
    address is what proves the record is theirs. Otherwise a new record is
    created from the signup details.
    """
    if Patient.objects.filter(user=user).exists():
        return
    existing = Patient.objects.filter(email__iexact=user.email).first()
    if existing is None:
        Patient.objects.create(
            first_name=user.first_name or user.email.split("@")[0],
            last_name=user.last_name or "-",
            email=user.email,
            user=user,
        )
    elif existing.user_id is None and email_verified:
        existing.user = user
        existing.save(update_fields=["user", "updated_at"])
