"""Appending to the ledger: every change of a ledgered model, with its entry, in one transaction.

Every change of a ledgered model goes through :func:`save_with_entry` (one row) or
:func:`create_with_entries` / :func:`update_with_entries` (many rows), which write the rows and
their ledger entries in one transaction. An entry names who acted (the text ``actor`` and, when a
person acted, the user: pass the user as ``actor``), what they did (an action code from the
registry in ``events.py``), why, the new state's digest and, for a change of an existing row, each
changed column's old and new canonical values (``LedgerEntry.changes``). Verifying is in
``verification.py``.

Speed: entries are written with one ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite) per
append instead of the ORM's per-object work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.fernet import InvalidToken
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models, transaction

from govcredit.core import clock, crypto

from . import checkpoints
from .hashing import (
    ENTRY_COLUMNS,
    SEP,
    converter,
    digest_instance,
    digest_state,
    encode,
    entity_type_of,
    entry_payload,
    keyed_hasher,
    micros,
    state_attnames,
    state_of,
    state_of_values,
)
from .models import LedgeredModel, LedgerEntry, LedgerHead, ledger_writing

#: Who acted: a person (their user; the entry keeps the user and the user name) or the application
#: part that did (its name: "system", a command's name).
Actor = str | AbstractBaseUser | AnonymousUser
# Separator and NUL inside a text field would make payloads ambiguous (or, for NUL, unstorable).
_UNSAFE = str.maketrans({SEP: "␟", "\x00": "␀"})
_Row = tuple[str, int | None, str, str, int | None, str, str, str]  # actor, user, action, type, id, digest, reason, changes


@dataclass(frozen=True)
class Change:
    """One ledger entry to append: who did what to which row, and why."""

    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    state_digest: str
    reason: str = ""
    actor_user_id: int | None = None
    changes: str = ""  # canonical JSON {column: [old, new]} (see :func:`changed_values`)


def actor_of(actor: Actor) -> tuple[str, int | None]:
    """The entry's actor text and user id for ``actor``; nobody acts without logging in (a view's type
    allows an anonymous user, its login check does not)."""
    if isinstance(actor, str):
        return actor, None
    if not actor.is_authenticated:
        raise PermissionError("未登录的用户不能操作")
    return actor.get_username(), cast(int | None, actor.pk)


def _lock_head() -> LedgerHead:
    head, _ = LedgerHead.objects.select_for_update().get_or_create(id=1)
    return head


def _clean(text: str) -> str:
    return text.translate(_UNSAFE) if SEP in text or "\x00" in text else text


def _insert_entries(rows: list[tuple[Any, ...]]) -> None:
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ENTRY_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})",
                            rows)


def head_lock_sql() -> str:
    """A statement that locks the ledger's head and reads it as (seq, entry_hash): for a batch job that sends it
    with other work in one exchange with the server (a PostgreSQL pipeline) and passes the row it returns to
    :func:`append_changes` (``head=``), in the same transaction. No row: the ledger has no head yet."""
    q = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""  # SQLite: its write lock
    return f"SELECT {q('seq')}, {q('entry_hash')} FROM {q(LedgerHead._meta.db_table)} WHERE id = 1{lock}"


def _write_entries(changes: Iterable[_Row], head: tuple[int, str] | None = None) -> list[tuple[Any, ...]]:
    """Append (actor, actor user id, action, entity_type, entity_id, state_digest, reason, changes) at the tip;
    return the rows (in ``ENTRY_COLUMNS`` order). ``head``: the tip already locked in this transaction
    (:func:`head_lock_sql`), else it is locked here."""
    with transaction.atomic(savepoint=False):
        if head is None:
            locked = _lock_head()
            head = locked.seq, locked.entry_hash
        ts = micros(clock.now())
        keyed = keyed_hasher().copy
        seq, prev = head
        rows = []
        for actor, uid, action, etype, eid, sdig, reason, diff in changes:
            seq += 1
            actor, action, etype, reason = _clean(actor), _clean(action), _clean(etype), _clean(reason)
            h = keyed()
            h.update(entry_payload(seq, ts, actor, action, etype, eid, reason, sdig, prev, uid, diff))
            digest = h.hexdigest()
            rows.append((seq, ts, actor, action, etype, eid, reason, sdig, prev, digest, uid, diff))
            prev = digest
        if rows:
            _insert_entries(rows)
            LedgerHead.objects.filter(id=1).update(seq=seq, entry_hash=prev)
            checkpoints.after_append(seq, prev)
        return rows


def append(changes: Sequence[Change]) -> list[LedgerEntry]:
    """Append entries at the chain's tip; the caller should be inside a transaction with the rows they describe."""
    rows = _write_entries(_as_rows(changes))
    entries = []
    for row in rows:
        entry = LedgerEntry(**dict(zip(ENTRY_COLUMNS, row, strict=True)))
        entry._state.adding, entry._state.db = False, connection.alias
        entries.append(entry)
    return entries


def _as_rows(changes: Iterable[Change]) -> Iterator[_Row]:
    return ((c.actor, c.actor_user_id, c.action, c.entity_type, c.entity_id, c.state_digest, c.reason, c.changes)
            for c in changes)


def append_changes(changes: Iterable[Change], *, head: tuple[int, str] | None = None) -> int:
    """Like :func:`append` for a batch job: the same entries, without making a ``LedgerEntry`` instance of each
    (the caller does not read them back); returns how many were appended. ``head``: the row
    :func:`head_lock_sql` returned in this transaction (the tip is then not locked and read again)."""
    return len(_write_entries(_as_rows(changes), head))


class ValueChanges:
    """The state digest and changed values of rows a job changes from values it read, without instances.

    ``old`` is a row as read in :func:`~.hashing.state_attnames` order (``values_list(*state_attnames(model))``),
    ``new`` the columns it sets (attname → the value as on an instance). ``ValueChanges(model)(old, new)`` gives
    the new state's digest and the entry's ``changes`` text, equal to what :func:`save_with_entry` writes for the
    same change of an instance (``digest_instance`` and :func:`changed_values` over ``new``'s columns), at the
    cost of one canonical conversion of the row, one JSON encoding and one hash.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        names = state_attnames(model)
        self._shown = _shown_columns(model)
        self._convert = {name: converter(fields[name]) for name in names}

    def __call__(self, old: Sequence[Any], new: dict[str, Any]) -> tuple[str, str]:
        state = state_of_values(self.model, old)
        shown = self._shown
        diff: dict[str, Any] = {}
        for name, value in new.items():
            convert = self._convert[name]  # a column outside the state (unhashed) is a KeyError: not for this
            value = value if value is None or convert is None else convert(value)
            before = state[name]
            state[name] = value
            if before != value and name in shown:
                diff[name] = [before, value] if shown[name] else None
        return digest_state(state), encode(diff) if diff else ""


def _shown_columns(model: type[models.Model]) -> dict[str, bool]:
    """attname → whether its values go into an entry, for the columns a diff looks at: not the unhashed
    ones nor ``auto_now`` times (every save moves them; the entry's own time says when)."""
    hidden = set(getattr(model, "ledger_hidden", ())) | {a for m, a in crypto.encrypted_fields() if m is model}
    unhashed: frozenset[str] = getattr(model, "ledger_unhashed", frozenset())
    return {f.attname: f.attname not in hidden for f in model._meta.concrete_fields
            if f.attname not in unhashed and not getattr(f, "auto_now", False)}


def changed_values(model: type[models.Model], old: dict[str, Any], new: dict[str, Any],
                   columns: Iterable[str] | None = None) -> str:
    """The canonical JSON of the columns whose canonical values differ between two states of a row:
    ``{attname: [old, new]}``, ``{attname: null}`` for a column whose values are hidden; "" when none do."""
    shown = _shown_columns(model)
    diff: dict[str, Any] = {}
    for name in (shown if columns is None else columns):
        if name in shown and old.get(name) != new.get(name):
            diff[name] = [old.get(name), new.get(name)] if shown[name] else None
    return encode(diff) if diff else ""


def save_with_entry(instance: LedgeredModel, *, actor: Actor, action: str, reason: str = "") -> LedgerEntry:
    """Save one ledgered row and append the entry for its new state (with the changed values), atomically."""
    model = type(instance)
    text, uid = actor_of(actor)
    with transaction.atomic(), ledger_writing():
        before = None
        if not instance._state.adding and instance.pk is not None:
            stored = model._base_manager.filter(pk=instance.pk).first()
            before = None if stored is None else state_of(stored)
        instance.save()
        diff = "" if before is None else changed_values(model, before, state_of(instance))
        return append([Change(text, action, entity_type_of(model), instance.pk, digest_instance(instance), reason,
                              uid, diff)])[0]


def create_with_entries(
    model: type[LedgeredModel], objs: list[Any], *, actor: Actor, action: str, reason: str = "",
    batch_size: int = 2000,
) -> list[Any]:
    """Bulk-create ledgered rows with one entry each (ids come back on SQLite and PostgreSQL)."""
    text, uid = actor_of(actor)
    et = entity_type_of(model)
    with transaction.atomic(), ledger_writing():
        created = model.objects.bulk_create(objs, batch_size=batch_size)
        _write_entries((text, uid, action, et, o.pk, digest_instance(o), reason, "") for o in created)
    return created


def update_with_entries(
    model: type[LedgeredModel], objs: list[Any], fields: list[str], *, actor: Actor, action: str, reason: str = "",
) -> None:
    """Bulk-update ``fields`` of ledgered rows with one entry each, naming each row's changed values.

    One ``UPDATE`` per row, sent together (``executemany``, pipelined on PostgreSQL), rather than Django's
    ``bulk_update``: its ``CASE WHEN`` expressions cost the ORM more than the database's work, at any batch
    size."""
    text, uid = actor_of(actor)
    et = entity_type_of(model)
    by_name = {f.name: f for f in model._meta.concrete_fields}
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    cols = [by_name.get(f) or by_attname[f] for f in fields]
    attnames = [f.attname for f in cols]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in cols)} "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    with transaction.atomic(), ledger_writing():
        before: dict[Any, dict[str, Any]] = {}
        pks = [o.pk for o in objs]
        for i in range(0, len(pks), 1000):
            for pk, *values in model._base_manager.filter(pk__in=pks[i:i + 1000]).values_list("pk", *attnames):
                before[pk] = dict(zip(attnames, values, strict=True))
        with connection.cursor() as cur:
            cur.executemany(sql, [[*(f.get_db_prep_save(getattr(o, f.attname), connection) for f in cols), o.pk]
                                  for o in objs])
        rows = []
        for o in objs:
            new = state_of(o)
            old = {**new, **_canonical(model, before.get(o.pk, {}))}
            rows.append((text, uid, action, et, o.pk, digest_state(new), reason,
                         changed_values(model, old, new, attnames)))
        _write_entries(rows)


def _canonical(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Canonical values of some columns of a row as read by ``values_list`` (as ``state_of`` makes them)."""
    columns = {f.attname: f for f in model._meta.concrete_fields}
    out = {}
    for name, value in values.items():
        convert = converter(columns[name])
        out[name] = value if value is None or convert is None else convert(value)
    return out


@dataclass
class Rotation:
    """What :func:`rotate_encrypted_fields` did to one registered column."""

    label: str  # the column's verbose name, e.g. "公务员 身份证号（密文）"
    rotated: int = 0
    current: int = 0  # already under the newest key
    unreadable: list[int] = field(default_factory=list)  # pks whose token no configured key opens


def rotate_encrypted_fields(batch: int = 1000) -> list[Rotation]:
    """Re-encrypt every token of every registered encrypted column (``core.crypto.encrypted_fields``)
    under the newest field key, each changed row with its ledger entry.

    One transaction per batch of rows, and tokens already under the newest key are left alone: an
    interrupted rotation is finished by running it again. Only when no column has an unreadable token
    may the old key be removed.
    """
    crypto.reset_keys()
    out = []
    for model, attname in crypto.encrypted_fields():
        column = next(f for f in model._meta.concrete_fields if f.attname == attname)
        result = Rotation(f"{model._meta.verbose_name} {column.verbose_name}")
        last = None
        while True:
            qs = model._base_manager.exclude(**{attname: ""}).order_by("pk")
            rows = list((qs if last is None else qs.filter(pk__gt=last))[:batch])
            if not rows:
                break
            last = rows[-1].pk
            changed = []
            for row in rows:
                token = getattr(row, attname)
                if crypto.under_newest_key(token):
                    result.current += 1
                    continue
                try:
                    setattr(row, attname, crypto.rotate(token))
                except InvalidToken:
                    result.unreadable.append(row.pk)
                    continue
                changed.append(row)
            if changed:
                update_with_entries(cast(type[LedgeredModel], model), changed, [attname], actor="system",
                                    action="crypto.rekey", reason="密钥轮换")
            result.rotated += len(changed)
        out.append(result)
    return out


def history(instance: models.Model) -> models.QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(entity_type=entity_type_of(type(instance)), entity_id=instance.pk)
