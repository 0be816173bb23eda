"""Encryption at rest and blind indexes for personal identifiers.

ID numbers are stored as Fernet tokens (AES-128-CBC + HMAC) under the keys of
``settings.FIELD_ENCRYPTION_KEYS`` (newest first, so ``MultiFernet`` can rotate), plus a keyed
HMAC "blind index" so an exact number can be looked up without decrypting every row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _derived_key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


def active_keys() -> list[str]:
    """The configured keys, newest first (or the demo key derived from SECRET_KEY)."""
    return list(settings.FIELD_ENCRYPTION_KEYS) or [base64.urlsafe_b64encode(_derived_key("field-encryption")).decode()]


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in active_keys()])


@cache
def _index_key() -> bytes:
    return _derived_key("blind-index")


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (it may have been made under an older one)."""
    return _fernet().rotate(token.encode()).decode()


def blind_index(plain: str) -> str:
    return hmac.new(_index_key(), plain.encode(), hashlib.sha256).hexdigest()


def reset_keys() -> None:
    """Forget cached keys (tests and the rotation command change settings at run time)."""
    _fernet.cache_clear()
    _index_key.cache_clear()
