"""A patient's erasure, as far as treatment plans go (see docs/privacy.md).

Called only from privacy.services.patient_erase, which holds the
transaction; the step checks the policy too. Plans are part of the clinical
record (what was proposed, at which fee) and stay, as the chart does; what
identifies the person beyond the record goes: the drawn signature, the
typed name, the address and browser they signed from. This is the one
place the acceptance's append-only rule is lifted (this patient's rows,
inside the erasure transaction).
"""

from __future__ import annotations

import pgtrigger

from chairside.accounts.models import User
from chairside.accounts.policies import ensure
from chairside.patients.policies import can_erase_patient
from chairside.treatment.models import PlanAcceptance, SignatureKind

ERASED = "Erased"


def erase_patient(*, actor: User, patient_id: int) -> None:
    ensure(can_erase_patient(actor))
    with pgtrigger.ignore("treatment.PlanAcceptance:acceptance_append_only"):
        PlanAcceptance.objects.filter(plan__patient_id=patient_id).update(
            signature_kind=SignatureKind.TYPED,
            signature_png=None,
            signer_name=ERASED,
            ip_address=None,
            user_agent="",
        )
