"""Who may see and change patient records (written once, used by the API)."""

from __future__ import annotations

from chairside.accounts.models import Role, User
from chairside.accounts.policies import has_role, is_clinic_admin, is_patient
from chairside.patients.models import Patient

CLINICAL_ROLES = (Role.ADMIN, Role.DENTIST)


def can_list_patients(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.DENTIST, Role.RECEPTIONIST)


def can_create_patient(user: User) -> bool:
    return has_role(user, Role.ADMIN, Role.DENTIST, Role.RECEPTIONIST)


def is_own_record(user: User, patient: Patient) -> bool:
    return is_patient(user) and patient.user_id == user.pk


def can_view_patient(user: User, patient: Patient) -> bool:
    return can_list_patients(user) or is_own_record(user, patient)


def can_edit_patient(user: User, patient: Patient) -> bool:
    return can_list_patients(user) or is_own_record(user, patient)


def can_read_medical_history(user: User, patient: Patient) -> bool:
    """Clinicians and the patient themself; front-desk staff book and bill
    but have no need to read health records."""
    return has_role(user, *CLINICAL_ROLES) or is_own_record(user, patient)


def can_write_medical_history(user: User, patient: Patient | None) -> bool:
    if patient is None:
        return has_role(user, *CLINICAL_ROLES)
    return can_read_medical_history(user, patient)


def can_link_user(user: User) -> bool:
    """Linking a record to a portal account decides who reads it: admin only."""
    return is_clinic_admin(user)


def can_archive_patient(user: User) -> bool:
    return is_clinic_admin(user)


def can_erase_patient(user: User) -> bool:
    return is_clinic_admin(user)
