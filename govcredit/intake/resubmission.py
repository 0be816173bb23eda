"""A file submitted again: rows whose record is still as an earlier run of the same file left it are
counted 未变化 without being checked and matched again.

Every chunk keeps, for each row that left a record in the state the row describes (a record it
created, or one it found unchanged), the row's number in the file, the record's id and the record's
``updated_at`` in microseconds (``IntakeChunk.outcomes``, three big-endian 64-bit integers a row).
When the same file (same SHA-256) is submitted again by the same organisation for the same catalog
version, and an earlier run of it finished, each chunk first looks up those rows' records: a record
whose ``updated_at`` is still the one noted was not touched since — every change to a record goes
through a service that saves it (a correction, a status change such as 异议中) — so the row, which
is byte for byte the row that produced or matched it, is unchanged. Only the other rows (rejected
before, or whose record changed since) are validated and matched as usual; the match keys of the
rows passed over still take part in the check for duplicates within the file.

Rows a run corrected are not noted (the next run checks them in full and then notes them), nor are
dry runs used: their records were never written.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import polars as pl
from django.db import connection

from govcredit.archive.models import CreditRecord
from govcredit.ledger.hashing import micros

from .models import BatchStatus, ImportBatch, IntakeChunk

OUTCOME = struct.Struct(">qqq")  # row number, record id, record updated_at (µs since the epoch)
SCHEMA = {"_row": pl.Int64, "record_id": pl.Int64, "updated": pl.Int64, "key": pl.String}


def pack(outcomes: Iterable[tuple[int, int, int]]) -> bytes:
    ordered = sorted(outcomes)
    return struct.pack(f">{3 * len(ordered)}q", *itertools.chain.from_iterable(ordered))


def unpack(blob: bytes | memoryview) -> Iterator[tuple[int, int, int]]:
    yield from OUTCOME.iter_unpack(bytes(blob))


def updated_micros(values: Iterable[str]) -> list[int]:
    """``updated_at`` as :func:`records.fetch_existing` reads it (text) → microseconds since the epoch."""
    if connection.vendor == "postgresql":
        return [int(v) for v in values]
    return [micros(dt.datetime.fromisoformat(v).replace(tzinfo=dt.UTC)) for v in values]  # SQLite: naive UTC


@dataclass(frozen=True)
class EarlierRun:
    """The newest finished run of the same file, by the same organisation, under the same catalog version."""

    batch_id: int

    @classmethod
    def find(cls, batch: ImportBatch) -> EarlierRun | None:
        earlier = (ImportBatch.objects
                   .filter(sha256=batch.sha256, org_id=batch.org_id, type_version_id=batch.type_version_id,
                           sheet=batch.sheet, status=BatchStatus.DONE, dry_run=False)
                   .exclude(pk=batch.pk).order_by("-id").values_list("pk", flat=True).first())
        return cls(earlier) if earlier is not None else None

    def unchanged_rows(self, first_row: int, last_row: int) -> pl.DataFrame:
        """Rows between ``first_row`` and ``last_row`` whose record is as this run left it, with its match key."""
        noted: list[tuple[int, int, int]] = []
        blobs = (IntakeChunk.objects.filter(batch_id=self.batch_id, first_row__lte=last_row, last_row__gte=first_row)
                 .values_list("outcomes", flat=True))
        for blob in blobs:
            noted.extend(o for o in unpack(blob) if first_row <= o[0] <= last_row)
        if not noted:
            return pl.DataFrame(schema=SCHEMA)
        frame = pl.DataFrame(noted, schema={"_row": pl.Int64, "record_id": pl.Int64, "updated": pl.Int64},
                             orient="row")
        now = current_state([o[1] for o in noted])
        return (frame.join(now, on=["record_id", "updated"], how="inner", maintain_order="left")
                .select(list(SCHEMA)))


def current_state(ids: list[int]) -> pl.DataFrame:
    """record_id, updated (µs) and match key of the records with these ids, read in one statement."""
    table = connection.ops.quote_name(CreditRecord._meta.db_table)
    schema = {"record_id": pl.Int64, "updated": pl.Int64, "number": pl.String, "code": pl.String, "name": pl.String}
    if connection.vendor == "postgresql":
        sql = (f"COPY (SELECT id, (extract(epoch FROM updated_at) * 1000000)::bigint, decision_number, "
               f"counterparty_code, counterparty_name FROM {table} WHERE id = ANY(%s)) TO STDOUT WITH (FORMAT csv)")
        buf = io.BytesIO()
        with connection.cursor() as cur, cur.cursor.copy(sql, [ids]) as copy:
            for block in copy:
                buf.write(block)
        buf.seek(0)
        found = (pl.read_csv(buf, has_header=False, schema=schema, empty_string_is_null=False) if buf.getbuffer().nbytes
                 else pl.DataFrame(schema=schema))
    else:
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, CAST(updated_at AS TEXT), decision_number, counterparty_code, counterparty_name "
                        f"FROM {table} WHERE id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)])
            rows = [(pk, updated_micros([updated])[0], number, code, name)
                    for pk, updated, number, code, name in cur.fetchall()]
        found = pl.DataFrame(rows, schema=schema, orient="row")
    who = pl.when(pl.col("code") != "").then(pl.concat_str([pl.lit("C"), pl.col("code")])).otherwise(
        pl.concat_str([pl.lit("N"), pl.col("name")]))
    return found.select("record_id", "updated", pl.concat_str([pl.col("number"), pl.lit("\x1f"), who]).alias("key"))
