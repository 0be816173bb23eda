"""Writing a batch's chunks: each chunk's outcome in one transaction (records, ledger entry, rejected rows,
the batch's progress), on a second thread while the next chunk is matched (:class:`ChunkWriter`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, connections, transaction

from govcredit.archive.models import CreditRecord
from govcredit.core import clock
from govcredit.core.bulk import allocate_ids, ids_outside_transaction
from govcredit.core.errors import Conflict
from govcredit.disclosure.workflow import open_withdrawals
from govcredit.ledger.hashing import micros
from govcredit.ledger.services import Change, append, create_with_entries, update_with_entries
from govcredit.sanctions.services import records_created

from . import integrity, records, resubmission
from .matching import Outcome
from .models import ImportBatch, IntakeChunk
from .records import RecordBuilder


class BatchConflict(Conflict):
    """Another process is working on the same batch (409)."""


def ledger_mode() -> str:
    """``chunk`` (one entry per chunk, Merkle root over the records) or ``row`` (one entry per record)."""
    return str(getattr(settings, "INTAKE_LEDGER_MODE", "chunk"))


@dataclass
class Draft:
    """A chunk's new records before they have ids: rows with ciphers, and their state texts."""

    frame: pl.DataFrame
    now: dt.datetime
    states: records.StateDrafts


@dataclass
class NewRecords:
    """A chunk's new records ready to write: rows with ids and ciphers, and the ledger commitment to them."""

    frame: pl.DataFrame
    now: dt.datetime
    blob: bytes  # ids and state digests (IntakeChunk.digests)
    root: str  # their Merkle root
    payload: bytes | None = None  # the COPY data (PostgreSQL), made ahead too


class ChunkCommitter:
    """Commits a batch's chunk outcomes, each in one transaction, checking that this process still holds
    the batch (``worker``, see ``services.run_batch``) and that its progress is where the previous chunk left it."""

    def __init__(self, batch: ImportBatch, builder: RecordBuilder, worker: str = "") -> None:
        self.batch = batch
        self.builder = builder
        self.worker = worker
        self.added_since_analyze = 0

    def commit(self, out: Outcome, *, write: bool, expect_last_row: int | None) -> IntakeChunk:
        """One chunk in one transaction: records, ledger entry, rejected rows and the batch's progress."""
        batch = self.batch
        with transaction.atomic():
            if write and connection.vendor == "postgresql":
                # The chunk and the batch's progress commit together, so a commit lost in a crash is
                # simply redone by the re-run: no need to wait for the WAL flush.
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if expect_last_row is not None and locked.last_row != expect_last_row:
                raise BatchConflict(f"批次 #{batch.pk} 正由其他进程处理（进度已变化），本进程停止。")
            if self.worker and locked.worker != self.worker:
                raise BatchConflict(f"批次 #{batch.pk} 已由其他进程接手处理，本进程停止。")
            ready = out.new or out.draft
            now = ready.now if ready is not None else clock.now()
            blob, root = b"", ""
            if write and out.creates is not None and out.creates.height:
                blob, root = self._create(out, now)
            if write and out.updates is not None and out.updates.height:
                self._update(out.updates, now)
            seq = locked.chunks_done + 1
            chunk = IntakeChunk.objects.create(
                batch=batch, seq=seq, first_row=out.first_row, last_row=out.last_row, rows=out.rows,
                accepted=out.accepted, updated=out.updated, unchanged=out.unchanged, rejected=len(out.rejected),
                rejected_rows=out.rejected, digests=blob, merkle_root=root,
                outcomes=resubmission.pack(out.outcomes) if write else b"",
            )
            if root:
                entry = append([Change(batch.actor, integrity.CHUNK_ACTION, integrity.CHUNK_ENTITY, chunk.pk, root,
                                       f"归集批次 #{batch.pk} 第 {seq} 块：新增 {out.accepted} 条信用记录",
                                       actor_user_id=batch.created_by_id)])[0]
                chunk.ledger_seq = entry.seq
                chunk.save(update_fields=["ledger_seq"])
            locked.chunks_done = seq
            locked.last_row = out.last_row
            locked.rows_done += out.rows
            locked.accepted += out.accepted
            locked.updated += out.updated
            locked.unchanged += out.unchanged
            locked.rejected += len(out.rejected)
            locked.heartbeat = clock.now()
            locked.save(update_fields=["chunks_done", "last_row", "rows_done", "accepted", "updated", "unchanged",
                                       "rejected", "heartbeat"])
        for name in ("chunks_done", "last_row", "rows_done", "accepted", "updated", "unchanged", "rejected"):
            setattr(batch, name, getattr(locked, name))
        if write:
            self.added_since_analyze += out.accepted
            if records.analyze_if_grown(self.added_since_analyze):
                self.added_since_analyze = 0
        return chunk

    def prepare(self, out: Outcome) -> None:
        """Do what can be done for the chunk's new records before its transaction, on the reading thread:
        their ciphers and state texts; where the database lets ids be taken outside a transaction
        (PostgreSQL's sequence) also the ids, digests, Merkle root and the COPY data, leaving the writer
        only the sending of it."""
        if out.creates is None or not out.creates.height or ledger_mode() != "chunk":
            return
        if ids_outside_transaction():  # the ids first, so the state texts are made with them
            new = self._finish(self._draft(self._with_ids(out.creates), clock.now()))
            new.payload = records.copy_payload(new.frame, new.now)
            out.new = new
        else:
            out.draft = self._draft(out.creates, clock.now())

    def _draft(self, creates: pl.DataFrame, now: dt.datetime) -> Draft:
        frame = self.builder.with_ciphers(creates)
        return Draft(frame, now, records.draft_states(frame, now))

    @staticmethod
    def _with_ids(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.Series("id", allocate_ids(CreditRecord, frame.height), dtype=pl.Int64))

    def _finish(self, draft: Draft) -> NewRecords:
        frame = draft.frame if "id" in draft.frame.columns else self._with_ids(draft.frame)
        ids = frame["id"].to_list()
        blob = integrity.pack(ids, records.record_digests(frame, self.builder, draft.now, draft.states))
        return NewRecords(frame, draft.now, blob, integrity.merkle_root(blob))

    def _create(self, out: Outcome, now: dt.datetime) -> tuple[bytes, str]:
        assert out.creates is not None
        if ledger_mode() == "row":
            frame = self.builder.with_ciphers(out.creates)
            objs = [records.builder_instance(self.builder, row, now) for row in frame.iter_rows(named=True)]
            created = create_with_entries(CreditRecord, objs, actor=self.batch.created_by or self.batch.actor,
                                          action="record.create", reason=f"归集批次 #{self.batch.pk}")
            records_created([r.pk for r in created if r.subject_org_id or r.subject_person_id])
            return b"", ""
        new = out.new or self._finish(out.draft or self._draft(out.creates, now))
        records.insert_records(new.frame, new.now, new.payload)
        # Bulk rows send no post_save: records about a government subject start their measures here.
        records_created(new.frame.filter(pl.col("subject_org_id").is_not_null() | pl.col("subject_person_id").is_not_null())
                        ["id"].to_list())
        out.outcomes.extend(zip(new.frame["_row"].to_list(), new.frame["id"].to_list(), repeat(micros(new.now)),
                                strict=False))
        return new.blob, new.root

    def _update(self, updates: pl.DataFrame, now: Any) -> None:
        objs = CreditRecord.objects.in_bulk(updates["x_id"].to_list())
        changed = []
        for row in self.builder.with_ciphers(updates).iter_rows(named=True):
            obj = objs[row["x_id"]]
            fresh = records.builder_instance(self.builder, row, now)
            for name in records.UPDATED:
                if _same_id_number(name, fresh, obj):
                    continue  # the same number: keep its cipher rather than re-encrypting it
                setattr(obj, name, getattr(fresh, name))
            changed.append(obj)
        update_with_entries(CreditRecord, changed, list(records.UPDATED), actor=self.batch.created_by or self.batch.actor,
                            action="record.correct", reason=f"归集批次 #{self.batch.pk} 更正")
        open_withdrawals(changed)  # a corrected decision on the portal must be updated there within 3 working days


#: The encrypted ID numbers of a record, by the prefix of their cipher, index and masked columns.
ID_NUMBER_PREFIXES = ("counterparty_id", "legal_rep_id")


def _same_id_number(column: str, fresh: CreditRecord, stored: CreditRecord) -> bool:
    """Whether ``column`` is the cipher or masked copy of an ID number that the row leaves unchanged."""
    for prefix in ID_NUMBER_PREFIXES:
        if column in (f"{prefix}_cipher", f"{prefix}_masked"):
            return bool(getattr(fresh, f"{prefix}_index") == getattr(stored, f"{prefix}_index"))
    return False


def _close_thread_connections() -> None:
    """Close the calling thread's database connections (Django keeps one per thread)."""
    connections.close_all()


class ChunkWriter:
    """Commits a batch's chunks one after the other — on a second thread when it can.

    While chunk N is written (COPY, ledger entry, progress: mostly the database's work), chunk N+1
    is read and checked on the calling thread, so the two overlap. That is safe because checking a
    chunk never depends on the chunk before it being in the database: duplicates within the file are
    caught in memory (``matching.Matcher.seen``), and the writer commits in file order, each chunk checking
    that the batch's progress is where the previous one left it.

    The writer thread has its own database connection, so it cannot see uncommitted work of the
    caller: inside a caller's transaction (``atomic``, e.g. in tests) chunks are written inline.
    ``settings.INTAKE_PIPELINE = False`` also writes inline.
    """

    def __init__(self, committer: ChunkCommitter, *, write: bool,
                 progress: Callable[[ImportBatch, int], None] | None) -> None:
        self.committer = committer
        self.write = write
        self.progress = progress
        self.threaded = bool(getattr(settings, "INTAKE_PIPELINE", True)) and not connection.in_atomic_block
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-writer") if self.threaded else None
        self.pending: tuple[Future[IntakeChunk], int] | None = None

    def commit(self, out: Outcome, *, expect_last_row: int) -> None:
        if self.executor is None:
            self.committer.commit(out, write=self.write, expect_last_row=expect_last_row)
            self._progress(out.rows)
            return
        if self.write:
            self.committer.prepare(out)
        self.wait()
        self.pending = (self.executor.submit(self.committer.commit, out, write=self.write,
                                             expect_last_row=expect_last_row), out.rows)

    def wait(self) -> None:
        """Wait for the chunk being written; its error, if any, is raised here."""
        if self.pending is not None:
            future, rows = self.pending
            self.pending = None
            future.result()
            self._progress(rows)

    def _progress(self, rows: int) -> None:
        if self.progress:
            self.progress(self.committer.batch, rows)

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.executor is None:
            return
        try:
            if exc_type is None:
                self.wait()
            elif self.pending is not None:  # let the chunk in flight finish; the first error is the one raised
                wait([self.pending[0]])
        finally:
            self.executor.submit(_close_thread_connections).result()
            self.executor.shutdown()


