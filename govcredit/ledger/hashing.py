"""Canonical forms and hashes shared by appending and verifying.

An entry's hash is a keyed BLAKE2b over its canonical payload (which includes the previous
entry's hash), so an entry cannot be forged or re-chained without the ledger key, which lives in
settings and never in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models

from .models import EPOCH

SEP = "\x1f"


@cache
def ledger_key() -> bytes:
    return hashlib.sha256(f"ledger:{settings.SECRET_KEY}".encode()).digest()


def micros(ts: dt.datetime) -> int:
    return (ts - EPOCH) // dt.timedelta(microseconds=1)


def entry_payload(
    seq: int, ts_micros: int, actor: str, action: str, entity_type: str, entity_id: int | None,
    reason: str, state_digest: str, prev_hash: str,
) -> bytes:
    return SEP.join(
        (str(seq), str(ts_micros), actor, action, entity_type, "" if entity_id is None else str(entity_id),
         reason, state_digest, prev_hash)
    ).encode()


def entry_hash(payload: bytes, key: bytes | None = None) -> str:
    return hashlib.blake2b(payload, key=key or ledger_key(), digest_size=32).hexdigest()


def _canonical(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    if isinstance(field, models.DateTimeField):
        if isinstance(value, str):
            value = field.to_python(value)
        return micros(value)
    if isinstance(field, models.DateField):
        return value if isinstance(value, str) else value.isoformat()
    if isinstance(field, models.JSONField):
        if isinstance(value, str) and not isinstance(value, dict | list):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        return value
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return int(value)
    return value


def state_of(instance: models.Model) -> dict[str, Any]:
    """The canonical state of a row: every concrete column, by attribute name."""
    return {f.attname: _canonical(f, getattr(instance, f.attname)) for f in instance._meta.concrete_fields}


def digest_state(state: dict[str, Any]) -> str:
    blob = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def digest_instance(instance: models.Model) -> str:
    return digest_state(state_of(instance))


def entity_type_of(model: type[models.Model]) -> str:
    return model._meta.label_lower
