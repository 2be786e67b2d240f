from __future__ import annotations

from chairside.accounts.models import User
from chairside.accounts.policies import is_clinic_admin


def can_read_audit_trail(user: User) -> bool:
    return is_clinic_admin(user)
