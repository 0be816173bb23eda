"""Encryption at rest and blind indexes for personal identifiers.

ID numbers are stored as Fernet tokens (AES-128-CBC + HMAC) under the keys of
``settings.FIELD_ENCRYPTION_KEYS`` (newest first, so ``MultiFernet`` can rotate), plus a keyed
HMAC "blind index" so an exact number can be looked up without decrypting every row, under
``settings.BLIND_INDEX_KEY`` (its own key: see ``core/keys.py``).

Every column that holds Fernet tokens is registered here (:func:`register_encrypted_field`, from the
owning app's ``ready()``), so that key rotation (``govcredit rotate-keys``) re-encrypts them all.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

_encrypted_fields: list[tuple[type[models.Model], str]] = []


def register_encrypted_field(model: type[models.Model], attname: str) -> None:
    """Declare that ``model.attname`` holds tokens made by :func:`encrypt` (an empty string: none)."""
    if (model, attname) not in _encrypted_fields:
        _encrypted_fields.append((model, attname))


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every registered (model, attname) holding Fernet tokens, in registration order."""
    return list(_encrypted_fields)


def active_keys() -> list[str]:
    """The configured field keys, newest first."""
    return list(settings.FIELD_ENCRYPTION_KEYS)


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in active_keys()])


@cache
def _index_key() -> bytes:
    return bytes(settings.BLIND_INDEX_KEY)


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (it may have been made under an older one)."""
    return _fernet().rotate(token.encode()).decode()


@cache
def _newest() -> Fernet:
    return Fernet(active_keys()[0])


def under_newest_key(token: str) -> bool:
    """Whether ``token`` opens with the newest key alone (so rotating it again would change nothing)."""
    try:
        _newest().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def blind_index(plain: str) -> str:
    return hmac.new(_index_key(), plain.encode(), hashlib.sha256).hexdigest()


def reset_keys() -> None:
    """Forget cached keys (tests and the rotation command change settings at run time)."""
    _fernet.cache_clear()
    _index_key.cache_clear()
    _newest.cache_clear()
