"""Deployment checks for settings the clinical data depends on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def encryption_keys_configured(**kwargs: Any) -> list[Error]:
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()]
    if not keys:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: medical histories cannot be "
                "encrypted.",
                hint="Generate one with `python -c 'from cryptography.fernet "
                "import Fernet; print(Fernet.generate_key().decode())'`.",
                id="chairside.E001",
            )
        ]
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError:
            return [
                Error(
                    "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key.",
                    id="chairside.E002",
                )
            ]
    return []
