"""Field-level encryption for health data, keyed from the environment.

FIELD_ENCRYPTION_KEYS holds Fernet keys, newest first: the first encrypts,
every key decrypts (MultiFernet). Rotating = put a new key first, run
`manage.py rotate_encryption_keys`, then drop the old key (docs/encryption.md).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "fernet", "rotate"]


def _configured_keys() -> tuple[str, ...]:
    keys = tuple(k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip())
    if keys:
        return keys
    if settings.DEBUG and settings.SECRET_KEY:
        # Development only: a key derived from the secret key, so `make run`
        # works with no setup. Production refuses to start without real keys
        # (see chairside.core.checks).
        digest = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode())
        return (base64.urlsafe_b64encode(digest.digest()).decode(),)
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set.")


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        # Never echo the key itself.
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet_for(_configured_keys())


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (readable by any current key)."""
    return fernet().rotate(token.encode()).decode()
