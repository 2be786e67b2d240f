from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClinicAccountAdapter(DefaultAccountAdapter):
    """Staff are invited by their clinic's admin; nobody signs up as staff.

    Patient self-signup arrives with the patient portal.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
