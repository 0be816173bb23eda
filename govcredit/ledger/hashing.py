"""Canonical forms and hashes shared by appending and verifying.

An entry's hash is a keyed BLAKE2b over its canonical payload (which includes the previous
entry's hash), so an entry cannot be forged or re-chained without the ledger key
(``settings.LEDGER_KEY``, a key of its own: see ``core/keys.py``), which never is in the database.

A row's *state digest* is BLAKE2b keyed with the same key (personalised ``govcredit-state``, so a
digest is never mistaken for an entry hash) over the sorted JSON of its canonical column values: without
the key nobody can find which old values a digest stands for by guessing them.

The canonical value of a column is made in two ways that agree on every value the application writes:
from a model instance on the write path (:func:`converter`), and while verifying from the value *as the
database returns it* (:func:`stored_converter`, fed by :func:`stored_select`, which on SQLite bypasses
the driver's date parsing). So a value respelled behind the application (SQLite text ``2026-12-4``
for ``2026-12-04``, a real in an integer column) is a different value, and a value that cannot be read
at all becomes a marker that matches nothing instead of an exception. The per-field conversions are
resolved once per model, and a canonical state is built with its keys already in order (so the
encoder's sort has nothing to do): digesting a row costs little more than one JSON encoding and one hash.
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
from typing import Any, cast

from django.conf import settings
from django.db import connection, models
from django.db.models.query_utils import DeferredAttribute

from .models import EPOCH

SEP = "\x1f"
ONE_MICROSECOND = dt.timedelta(microseconds=1)

Converter = Callable[[Any], Any] | None
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
                            check_circular=False)


@cache
def ledger_key() -> bytes:
    return bytes(settings.LEDGER_KEY)


@cache
def _state_hasher() -> Any:
    return hashlib.blake2b(key=ledger_key(), digest_size=32, person=b"govcredit-state")


def reset_key() -> None:
    """Forget the cached ledger key (tests change ``settings.LEDGER_KEY`` at run time)."""
    ledger_key.cache_clear()
    _state_hasher.cache_clear()


def keyed_hasher(key: bytes | None = None) -> Any:
    """A BLAKE2b state already keyed; ``.copy()`` of it hashes like ``blake2b(key=…)`` without re-keying."""
    return hashlib.blake2b(key=key or ledger_key(), digest_size=32)


def micros(ts: dt.datetime) -> int:
    return (ts - EPOCH) // ONE_MICROSECOND


GENESIS = "0" * 64
#: The columns of an entry as both sides read and write them; the hash covers all but ``entry_hash``.
ENTRY_COLUMNS = ("seq", "ts", "actor", "action", "entity_type", "entity_id", "reason", "state_digest",
                 "prev_hash", "entry_hash", "actor_user_id", "changes")


def entry_payload(
    seq: int, ts_micros: int, actor: str, action: str, entity_type: str, entity_id: int | None,
    reason: str, state_digest: str, prev_hash: str, actor_user_id: int | None = None, changes: str = "",
) -> bytes:
    """The bytes an entry's hash covers: its fields joined by U+001F, ending with the previous hash.

    The acting user's id and the changed values (``changes``, canonical JSON, which escapes every
    control character) come before ``prev_hash`` when either is set; an entry with neither keeps the
    nine-field form entries had before these columns existed, so older chains verify as they are, and
    clearing both columns of a newer entry changes its payload (and breaks its hash) like any other edit.
    """
    eid = "" if entity_id is None else str(entity_id)
    if actor_user_id is None and not changes:
        fields: tuple[str, ...] = (str(seq), str(ts_micros), actor, action, entity_type, eid, reason, state_digest,
                                   prev_hash)
    else:
        fields = (str(seq), str(ts_micros), actor, action, entity_type, eid, reason, state_digest,
                  "" if actor_user_id is None else str(actor_user_id), changes, prev_hash)
    return SEP.join(fields).encode()


def entry_hash(payload: bytes, key: bytes | None = None) -> str:
    return hashlib.blake2b(payload, key=key or ledger_key(), digest_size=32).hexdigest()


# --- canonical state of a row ---------------------------------------------------------------------

def _decimal(places: int) -> Callable[[Any], str]:
    quantum = Decimal(1).scaleb(-places)
    return lambda value: str((value if type(value) is Decimal else Decimal(value)).quantize(quantum))


def _datetime(field: models.Field[Any, Any]) -> Callable[[Any], int]:
    def convert(value: Any, _datetime: type[dt.datetime] = dt.datetime) -> int:
        if type(value) is _datetime:  # the usual case first: no other test
            return (value - EPOCH) // ONE_MICROSECOND
        if isinstance(value, str):
            value = field.to_python(value)
        return int((value - EPOCH) // ONE_MICROSECOND)
    return convert


def _date(field: models.Field[Any, Any]) -> Callable[[Any], str]:
    def convert(value: Any, _date: type[dt.date] = dt.date) -> str:
        if type(value) is _date:  # the usual case first (a datetime is a date too, and takes the other path)
            return value.isoformat()
        return str((field.to_python(value) if isinstance(value, str) else value).isoformat())
    return convert


def converter(field: models.Field[Any, Any]) -> Converter:
    """How a non-null value of ``field`` on a model instance becomes canonical; ``None``: kept as it is."""
    if isinstance(field, models.DecimalField):
        return _decimal(field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return _datetime(field)
    if isinstance(field, models.DateField):
        return _date(field)
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return int
    return None


# --- the same, from values as the database returns them ---------------------------------------------

def unreadable(value: Any) -> str:
    """The canonical stand-in for a stored value that is not what the application writes: it equals no
    canonical value of an instance, so the row is reported as changed (and the check goes on)."""
    return f"\u2260{type(value).__name__}:{value!r}"


def _stored_datetime(value: Any) -> Any:
    if isinstance(value, str):  # SQLite: the text Django wrote is str() of the naive UTC time
        parsed = dt.datetime.fromisoformat(value)
        if str(parsed) != value or parsed.tzinfo is not None:
            return unreadable(value)
        value = parsed.replace(tzinfo=dt.UTC)
    return (value - EPOCH) // ONE_MICROSECOND


def _stored_date(value: Any) -> Any:
    return value if isinstance(value, str) else value.isoformat()  # SQLite text exactly as stored


def _stored_int(value: Any) -> Any:
    return value if type(value) is int else unreadable(value)


def _stored_bool(value: Any) -> Any:
    return bool(value) if type(value) in (int, bool) and value in (0, 1) else unreadable(value)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return unreadable(value)
    return value


def stored_converter(field: models.Field[Any, Any]) -> Converter:
    """How a non-null value of ``field`` read by :func:`stored_select` becomes canonical.

    Agrees with :func:`converter` on every value the application stores; anything else (another
    spelling, another type) gives a different canonical value, or raises (see :func:`state_of_stored`).
    """
    if isinstance(field, models.DecimalField):
        return _decimal(field.decimal_places)
    if isinstance(field, models.DateTimeField):
        return _stored_datetime
    if isinstance(field, models.DateField):
        return _stored_date
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.BooleanField):
        return _stored_bool
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return _stored_int
    return None


def stored_select(model: type[models.Model], vendor: str) -> str:
    """``SELECT`` of every column of ``model`` in canonical order, returning values as stored.

    On SQLite each column is an expression (``+"col"``, SQLite's no-op), so the driver does not parse
    dates, datetimes and booleans by their declared type: the text comes back as it is in the file.
    """
    names = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    cols = [quote(names[name]) for name in state_attnames(model)]
    if vendor == "sqlite":
        cols = [f"+{c}" for c in cols]
    return f"SELECT {', '.join(cols)} FROM {quote(model._meta.db_table)}"


def state_attnames(model: type[models.Model]) -> list[str]:
    """The attribute names of every concrete column of ``model`` but those it declares ``ledger_unhashed``,
    sorted: the canonical order."""
    return list(_conversions(model)[0])


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


Conversions = tuple[tuple[str, ...], tuple[tuple[int, str, Callable[[Any], Any]], ...],
                    Callable[[Sequence[Any]], dict[str, Any]]]


def _plan(model: type[models.Model], make: Callable[[models.Field[Any, Any]], Converter]) -> Conversions:
    unhashed: frozenset[str] = getattr(model, "ledger_unhashed", frozenset())
    fields = sorted((f for f in model._meta.concrete_fields if f.attname not in unhashed),
                    key=operator.attrgetter("attname"))
    names = tuple(f.attname for f in fields)
    conversions = tuple((i, f.attname, convert) for i, f in enumerate(fields) if (convert := make(f)) is not None)
    return names, conversions, _compile(names, conversions)


def _compile(names: tuple[str, ...], conversions: tuple[tuple[int, str, Callable[[Any], Any]], ...]
             ) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """The plan as one function that unpacks a row and builds its state in one dict display, each converted
    column as ``v if v is None else convert(v)``. Half the time of a loop over the conversions, which counts
    in the bulk jobs that digest hundreds of thousands of rows. The generated source uses only the plan's
    attribute names (Python identifiers, from the model) and indices; the converters are passed in."""
    convert_at = {i: convert for i, _name, convert in conversions}
    scope: dict[str, Any] = {f"c{i}": convert for i, convert in convert_at.items()}
    items = ", ".join(f"{name!r}: v{i} if v{i} is None else c{i}(v{i})" if i in convert_at else f"{name!r}: v{i}"
                      for i, name in enumerate(names))
    unpack = "".join(f"v{i}, " for i in range(len(names)))
    exec(f"def state(values):\n    {unpack}= values\n    return {{{items}}}\n", scope)  # noqa: S102 - see above
    return cast(Callable[[Sequence[Any]], dict[str, Any]], scope["state"])


@cache
def _conversions(model: type[models.Model]) -> Conversions:
    return _plan(model, converter)


@cache
def _stored_conversions(model: type[models.Model]) -> Conversions:
    return _plan(model, stored_converter)


def _convert(plan: Conversions, model: type[models.Model], values: Sequence[Any]) -> dict[str, Any]:
    names, _conversions, build = plan
    if len(values) != len(names):
        raise ValueError(f"{model._meta.label}: {len(names)} values expected, got {len(values)}")
    return build(values)


def state_of_values(model: type[models.Model], values: Sequence[Any]) -> dict[str, Any]:
    """The canonical state from an instance's column values in :func:`state_attnames` order."""
    return _convert(_conversions(model), model, values)


def state_of_stored(model: type[models.Model], values: Sequence[Any]) -> dict[str, Any]:
    """The canonical state of a row read by :func:`stored_select`; never raises on a value.

    A value that cannot be converted (a decimal beyond any precision, text in a number column…)
    becomes :func:`unreadable`, so verifying names the row instead of dying on it.
    """
    plan = _stored_conversions(model)
    try:
        return _convert(plan, model, values)
    except (ArithmeticError, TypeError, ValueError, AttributeError):
        state = dict(zip(plan[0], values, strict=True))
        for i, name, convert in plan[1]:
            value = values[i]
            if value is not None:
                try:
                    state[name] = convert(value)
                except (ArithmeticError, TypeError, ValueError, AttributeError):
                    state[name] = unreadable(value)
        return state


def digest_text(text: str) -> str:
    """The keyed digest of a canonical state already encoded as JSON text."""
    h = _state_hasher().copy()
    h.update(text.encode())
    return str(h.hexdigest())


def digest_state(state: dict[str, Any]) -> str:
    return digest_text(_ENCODER.encode(state))


def digest_instance(instance: models.Model) -> str:
    return digest_state(state_of(instance))


def encode(value: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces; control characters escaped, so never a raw U+001F)."""
    return _ENCODER.encode(value)


def entity_type_of(model: type[models.Model]) -> str:
    return model._meta.label_lower
