"""Who may read and write the chart, the catalogue and the fees.

- Chart: admins and dentists write it; receptionists read it (without the
  clinical notes); patients get nothing of it here (their own record: 403;
  another's: 404, from patients.selectors.patient_get).
- Catalogue (procedure codes, the CSV import): admins and dentists, but a
  change of any fee — a code's default fee included — is the admin's, as
  are fee schedules and which schedule a patient is on: prices are a
  business decision. Receptionists read codes and fees.
- The demo seed (a system actor) writes everything.
"""

from __future__ import annotations

from typing import Any

from chairside.accounts.models import Role
from chairside.accounts.policies import has_role
from chairside.core.actors import DEMO_SEED, is_system

CLINICAL = (Role.ADMIN, Role.DENTIST)
STAFF = (Role.ADMIN, Role.DENTIST, Role.RECEPTIONIST)


def _seed(actor: Any) -> bool:
    return is_system(actor, DEMO_SEED)


def can_read_chart(actor: Any) -> bool:
    return has_role(actor, *STAFF)


def can_read_chart_notes(actor: Any) -> bool:
    return has_role(actor, *CLINICAL)


def can_write_chart(actor: Any) -> bool:
    return has_role(actor, *CLINICAL) or _seed(actor)


def can_read_catalogue(actor: Any) -> bool:
    return has_role(actor, *STAFF)


def can_manage_catalogue(actor: Any) -> bool:
    return has_role(actor, *CLINICAL) or _seed(actor)


def can_change_fees(actor: Any) -> bool:
    return has_role(actor, Role.ADMIN) or _seed(actor)


def can_change_chart_settings(actor: Any) -> bool:
    return has_role(actor, Role.ADMIN)


def can_set_own_notation(actor: Any) -> bool:
    return has_role(actor, *STAFF)
