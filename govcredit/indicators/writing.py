"""Bulk writes of the indicators' own rows for the computation and the evaluation (issue 15's speed): new
ledgered rows written with one ``COPY`` (PostgreSQL) or one ``executemany`` (SQLite) and their ledger entries
appended through :func:`govcredit.ledger.services.append_changes` in the same transaction, one entry per row with the
digest of the row's state as stored (the digest is made from the same column values that are written, so the
ledger's verification finds the rows as their entries describe them); the derived assessments the same way
without entries. No model instance is built per row: at 1,500 subjects × 24 months × a dozen indicators the
ORM's per-object work was most of the run. Ids come from the table's sequence (PostgreSQL) or after the
table's highest id under SQLite's write lock (taken at ``BEGIN``): :func:`govcredit.core.bulk.allocate_ids`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

from govcredit.core.bulk import allocate_ids
from govcredit.ledger.hashing import (
    digest_state,
    entity_type_of,
    state_attnames,
    state_of_values,
)
from govcredit.ledger.models import LedgeredModel, ledger_writing
from govcredit.ledger.services import Change, append_changes


def _columns(model: type[models.Model], attnames: Sequence[str]) -> list[models.Field[Any, Any]]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[a] for a in attnames]


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert raw rows (values in ``attnames`` order, Python values as the model holds them; decimals already
    at the column's places) with one ``COPY`` on PostgreSQL, one ``executemany`` elsewhere."""
    if not rows:
        return
    fields = _columns(model, attnames)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = None if row[i] is None else json.dumps(row[i], ensure_ascii=False)
                    copy.write_row(row)
            return
        prepared = [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})", prepared)


def create_ledgered(model: type[LedgeredModel], attnames: Sequence[str], rows: Sequence[Sequence[Any]], *,
                    actor: str, action: str, reason: str = "") -> list[int]:
    """New rows of a ledgered model (values in ``attnames`` order: every concrete column but ``id``), each
    with its ledger entry, atomically; returns their ids in order."""
    if not rows:
        return []
    at = {a: i for i, a in enumerate(attnames)}
    order = [-1 if a == "id" else at[a] for a in state_attnames(model)]  # -1: the id
    etype = entity_type_of(model)
    with transaction.atomic(), ledger_writing():
        ids = allocate_ids(model, len(rows))
        insert_rows(model, ["id", *attnames], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        changes = []
        for pk, row in zip(ids, rows, strict=True):
            state = state_of_values(model, [pk if i < 0 else row[i] for i in order])
            changes.append(Change(actor, action, etype, pk, digest_state(state), reason))
        append_changes(changes)
    return ids


def places(value: Decimal | int | None, quantum: Decimal) -> Decimal | None:
    """A number as a decimal column of ``quantum``'s places stores it (Django rounds half to even too)."""
    if value is None:
        return None
    d = value if type(value) is Decimal else Decimal(value)
    return d if d.as_tuple().exponent == quantum.as_tuple().exponent else d.quantize(quantum)
