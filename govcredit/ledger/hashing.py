"""Canonical forms and hashes shared by appending and verifying.

An entry's hash is a keyed BLAKE2b over its canonical payload (which includes the previous
entry's hash), so an entry cannot be forged or re-chained without the ledger key, which lives in
settings and never in the database.

A row's *state digest* is SHA-256 over the sorted JSON of its canonical column values. The
per-field conversions are resolved once per model (:func:`state_converters`), and a canonical state
is built with its keys already in order (so the encoder's sort has nothing to do): digesting a row on
the write path or while verifying costs little more than one JSON encoding and one hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from .models import EPOCH

SEP = "\x1f"
ONE_MICROSECOND = dt.timedelta(microseconds=1)

Converter = Callable[[Any], Any] | None
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
                            check_circular=False)


@cache
def ledger_key() -> bytes:
    return hashlib.sha256(f"ledger:{settings.SECRET_KEY}".encode()).digest()


def keyed_hasher(key: bytes | None = None) -> Any:
    """A BLAKE2b state already keyed; ``.copy()`` of it hashes like ``blake2b(key=…)`` without re-keying."""
    return hashlib.blake2b(key=key or ledger_key(), digest_size=32)


def micros(ts: dt.datetime) -> int:
    return (ts - EPOCH) // ONE_MICROSECOND


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


# --- canonical state of a row ---------------------------------------------------------------------

def _decimal(places: int) -> Callable[[Any], str]:
    quantum = Decimal(1).scaleb(-places)
    return lambda value: str((value if type(value) is Decimal else Decimal(value)).quantize(quantum))


def _datetime(field: models.Field) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, str):
            value = field.to_python(value)
        return (value - EPOCH) // ONE_MICROSECOND
    return convert


def _date(value: Any) -> Any:
    return value if isinstance(value, str) else value.isoformat()


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def converter(field: models.Field) -> Converter:
    """How a non-null value of ``field`` becomes canonical; ``None`` means it is kept as it is."""
    if isinstance(field, models.DecimalField):
        return _decimal(field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return _datetime(field)
    if isinstance(field, models.DateField):
        return _date
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return int
    return None


def _canonical(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    convert = converter(field)
    return value if convert is None else convert(value)


@cache
def state_converters(model: type[models.Model]) -> tuple[tuple[str, Converter], ...]:
    """(attname, converter) of every concrete column of ``model``, by attname: the canonical order."""
    return tuple(sorted(((f.attname, converter(f)) for f in model._meta.concrete_fields), key=lambda c: c[0]))


def state_attnames(model: type[models.Model]) -> list[str]:
    return [name for name, _ in state_converters(model)]


@cache
def _plain_getter(model: type[models.Model]) -> Callable[[dict[str, Any]], tuple[Any, ...]] | None:
    """Reads every column's value from an instance's ``__dict__`` at once, in canonical order.

    Only when every column has Django's plain attribute (reading ``__dict__`` is then what
    ``getattr`` does); a model with another kind (a file field, say) is read with ``getattr``.
    """
    names = state_attnames(model)
    for name in names:
        descriptor = inspect.getattr_static(model, name, None)
        if not isinstance(descriptor, DeferredAttribute) or type(descriptor).__get__ is not DeferredAttribute.__get__:
            return None
    getter = operator.itemgetter(*names)
    return (lambda loaded: (getter(loaded),)) if len(names) == 1 else getter


def state_of(instance: models.Model) -> dict[str, Any]:
    """The canonical state of a row: every concrete column, by attribute name."""
    model = type(instance)
    getter = _plain_getter(model)
    if getter is not None:
        try:
            return state_of_values(model, getter(instance.__dict__))
        except KeyError:  # a deferred column: getattr() loads it
            pass
    return state_of_values(model, [getattr(instance, name) for name in state_attnames(model)])


@cache
def _conversions(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[tuple[int, str, Callable[[Any], Any]], ...]]:
    plan = state_converters(model)
    return (tuple(name for name, _ in plan),
            tuple((i, name, convert) for i, (name, convert) in enumerate(plan) if convert is not None))


def state_of_values(model: type[models.Model], values: Sequence[Any]) -> dict[str, Any]:
    """The canonical state from column values in :func:`state_attnames` order (e.g. a ``values_list`` row)."""
    names, conversions = _conversions(model)
    if len(values) != len(names):
        raise ValueError(f"{model._meta.label}: {len(names)} values expected, got {len(values)}")
    state = dict(zip(names, values, strict=True))
    for i, name, convert in conversions:
        value = values[i]
        if value is not None:
            state[name] = convert(value)
    return state


def digest_state(state: dict[str, Any]) -> str:
    return hashlib.sha256(_ENCODER.encode(state).encode()).hexdigest()


def digest_instance(instance: models.Model) -> str:
    return digest_state(state_of(instance))


def entity_type_of(model: type[models.Model]) -> str:
    return model._meta.label_lower
