"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from chairside.core import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; Python code only ever sees plaintext.

    The database, backups and the audit tables hold ciphertext only. The field
    cannot be searched or ordered on (by design).
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        # Every value is encrypted, the empty one too, so the column never
        # tells "has a history" from "has none".
        return crypto.encrypt(str(value))
