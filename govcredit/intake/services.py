"""Intake (归集): submitting batches and processing them chunk by chunk.

* :func:`submit_file` / :func:`submit_rows` create an :class:`ImportBatch` (待处理) for a file or for
  rows posted to the API; the same file submitted again while an earlier run of it is unfinished
  continues that batch instead of starting another one.
* :func:`run_batch` processes a batch. With the catalog's ``accept_valid`` mode each chunk is one
  transaction holding its records, its ledger entry, its rejected rows and the batch's progress,
  so a killed process leaves only whole chunks and a re-run continues after the last of them. With
  ``all_or_nothing`` the whole file is checked first and written in one transaction only if no
  row is rejected; otherwise the batch is 已退回 with the error report.
* Rows are matched to existing records by type + decision number + counterparty (code, else name):
  identical rows count as 未变化 and write nothing, so submitting the same file twice changes nothing;
  a corrected row updates its record through the ledger.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
import socket
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import polars as pl
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import translation

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import BatchMode, RecordType, RecordTypeVersion
from govcredit.core import clock
from govcredit.disclosure.workflow import open_withdrawals
from govcredit.ledger.hashing import micros
from govcredit.ledger.services import Change, append, create_with_entries, update_with_entries
from govcredit.subjects.models import Organization

from . import integrity, records, resubmission
from .columns import ColumnPlan, accepted_names, plan_columns
from .models import BatchSource, BatchStatus, ImportBatch, IntakeChunk
from .records import KEY, OrgIndex, RecordBuilder
from .report import write_report
from .resubmission import EarlierRun, updated_micros
from .sources import FileRejected, Table, file_digest, limits, open_table, rows_table
from .validate import ERR, RowValidator, value_col

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("govcredit.intake")
#: Chinese characters: a message written for the clerk rather than by a library.
_CJK = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_CHUNK = 10_000  # two chunks are in memory at once (one checked, one written)


class BatchConflict(RuntimeError):
    """Another process is working on the same batch."""


def chunk_size_setting() -> int:
    return int(getattr(settings, "INTAKE_CHUNK_SIZE", DEFAULT_CHUNK))


def ledger_mode() -> str:
    """``chunk`` (one entry per chunk, Merkle root over the records) or ``row`` (one entry per record)."""
    return str(getattr(settings, "INTAKE_LEDGER_MODE", "chunk"))


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "intake" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_type(name_or_code: str) -> RecordType:
    rtype = RecordType.objects.filter(name=name_or_code).first() or RecordType.objects.filter(code=name_or_code).first()
    if rtype is None:
        names = "、".join(RecordType.objects.values_list("name", flat=True))
        raise FileRejected(f"没有信息类别“{name_or_code}”；可选：{names}")
    return rtype


# --------------------------------------------------------------------------- submitting

def _resumable(sha256: str, version: RecordTypeVersion, org: Organization, dry_run: bool) -> ImportBatch | None:
    return (ImportBatch.objects.filter(sha256=sha256, record_type_id=version.record_type_id, org=org, dry_run=dry_run,
                                       status__in=[BatchStatus.PENDING, BatchStatus.RUNNING, BatchStatus.FAILED])
            .order_by("-id").first())


def submit_file(path: Path, *, record_type: RecordType, org: Organization, actor: str, user: Any = None,
                source: str = BatchSource.CLI, file_name: str = "", sheet: str = "", dry_run: bool = False,
                stored: bool = False) -> tuple[ImportBatch, bool]:
    """A batch for the file (stored under MEDIA_ROOT unless ``stored``); (batch, resumed?)."""
    version = record_type.current()
    sha256, size = file_digest(path)
    existing = _resumable(sha256, version, org, dry_run)
    if existing is not None and Path(existing.file_path).exists():
        return existing, True
    suffix = Path(file_name or path.name).suffix.lower()[:10]
    dest = path if stored else storage_dir() / f"{sha256}{suffix}"
    if not stored and not dest.exists():
        from .sources import copy_file

        copy_file(path, dest)
    batch = ImportBatch.objects.create(
        record_type=record_type, type_version=version, org=org, created_by=user if getattr(user, "pk", None) else None,
        actor=actor, source=source, file_name=(file_name or path.name)[:255], file_path=str(dest), sheet=sheet,
        sha256=sha256, size=size, batch_mode=version.batch_mode, dry_run=dry_run,
    )
    return batch, False


def submit_rows(rows: Any, *, record_type: RecordType, org: Organization, actor: str, user: Any = None,
                dry_run: bool = False) -> ImportBatch:
    """A batch for rows posted as JSON (kept as a JSON file so the batch can be re-run and reported)."""
    import hashlib
    import json

    if isinstance(rows, list) and len(rows) > limits().api_max_rows:
        raise FileRejected(f"一次最多提交 {limits().api_max_rows:,} 行，本次 {len(rows):,} 行：请分批提交或上传文件。")
    rows_table(rows)  # shape check before anything is stored
    blob = json.dumps(rows, ensure_ascii=False).encode()
    sha256 = hashlib.sha256(blob).hexdigest()
    dest = storage_dir() / f"{sha256}.json"
    if not dest.exists():
        dest.write_bytes(blob)
    version = record_type.current()
    return ImportBatch.objects.create(
        record_type=record_type, type_version=version, org=org, created_by=user if getattr(user, "pk", None) else None,
        actor=actor, source=BatchSource.API, file_name="接口提交.json", file_path=str(dest), file_format="json",
        sha256=sha256, size=len(blob), batch_mode=version.batch_mode, dry_run=dry_run,
    )


# --------------------------------------------------------------------------- processing

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


@dataclass
class Outcome:
    first_row: int
    last_row: int
    rows: int
    creates: pl.DataFrame | None = None
    updates: pl.DataFrame | None = None
    unchanged: int = 0
    rejected: list[list[Any]] = field(default_factory=list)  # [row, [values as sent], reason]
    draft: Draft | None = None  # the creates' ciphers and state texts, made ahead of the transaction
    new: NewRecords | None = None  # or all of them but the writing, where ids can be taken ahead too
    #: (row, record id, record updated_at µs) of rows found unchanged; created rows are added on commit
    outcomes: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return 0 if self.creates is None else self.creates.height

    @property
    def updated(self) -> int:
        return 0 if self.updates is None else self.updates.height


class Processor:
    def __init__(self, batch: ImportBatch, table: Table, plan: ColumnPlan, worker: str = "") -> None:
        self.batch = batch
        self.worker = worker  # the claim this process holds on the batch (see run_batch)
        self.table = table
        self.plan = plan
        self.version = batch.type_version
        self.validator = RowValidator(plan)
        self.builder = RecordBuilder(self.version)
        self.orgs = OrgIndex.load()
        self.root = batch.org_id
        self.width = len(plan.header)
        self.seen = pl.DataFrame(schema={KEY: pl.String, "_first": pl.Int64})
        self.source_col = value_col("source_org_code") if "source_org_code" in plan.index else None
        self.earlier = EarlierRun.find(batch)
        self.added_since_analyze = 0

    # -- classification ----------------------------------------------------------------------

    def classify(self, frame: pl.DataFrame) -> Outcome:
        rows = frame["_row"]
        out = Outcome(first_row=int(rows.min()), last_row=int(rows.max()), rows=frame.height)  # type: ignore[arg-type]
        if self.earlier is not None:
            frame = self._passed_over(frame, out)
            if not frame.height:
                return out
        checked = self.validator.validate(frame)
        raw_cols = [f"c{i}" for i in range(self.width)]
        reasons: dict[int, str] = {}
        for row_no, err in checked.filter(pl.col(ERR).is_not_null()).select("_row", ERR).iter_rows():
            reasons[row_no] = err
        good = checked.filter(pl.col(ERR).is_null()).with_columns(self.builder.key_expr())
        good = self._duplicates(good, reasons)
        good = self._row_org(good, reasons)
        recs = self.builder.frame(good, batch_id=self.batch.pk)
        if recs.height:
            recs = self._match(recs, reasons, out)
        else:
            out.creates = recs
        if reasons:
            sent = checked.filter(pl.col("_row").is_in(list(reasons))).select("_row", *raw_cols)
            out.rejected = [[r[0], list(r[1:]), reasons[r[0]]] for r in sent.iter_rows()]
            out.rejected.sort(key=lambda r: r[0])
        return out

    def _passed_over(self, frame: pl.DataFrame, out: Outcome) -> pl.DataFrame:
        """Count the rows an earlier run of this file left unchanged (see :mod:`.resubmission`); the rest."""
        assert self.earlier is not None
        same = self.earlier.unchanged_rows(out.first_row, out.last_row)
        same = same.join(frame.select("_row"), on="_row", how="semi")
        if not same.height:
            return frame
        out.unchanged += same.height
        out.outcomes.extend(same.select("_row", "record_id", "updated").iter_rows())
        self.seen = pl.concat([self.seen, same.select(pl.col("key").alias(KEY), pl.col("_row").alias("_first"))],
                              rechunk=False)
        return frame.join(same.select("_row"), on="_row", how="anti")

    def _duplicates(self, good: pl.DataFrame, reasons: dict[int, str]) -> pl.DataFrame:
        if not good.height:
            return good
        good = good.with_columns(pl.col("_row").min().over(KEY).alias("_first"))
        inner = good.filter(pl.col("_row") != pl.col("_first"))
        for row_no, first in inner.select("_row", "_first").iter_rows():
            reasons[row_no] = f"与第 {first} 行的决定文书号和行政相对人相同（文件内重复）"
        good = good.filter(pl.col("_row") == pl.col("_first")).drop("_first")
        if self.seen.height:
            earlier = good.join(self.seen, on=KEY, how="inner")
            for row_no, first in earlier.select("_row", "_first").iter_rows():
                reasons[row_no] = f"与第 {first} 行的决定文书号和行政相对人相同（文件内重复）"
            good = good.join(self.seen, on=KEY, how="anti")
        self.seen = pl.concat([self.seen, good.select(KEY, pl.col("_row").alias("_first"))], rechunk=False)
        return good

    def _row_org(self, good: pl.DataFrame, reasons: dict[int, str]) -> pl.DataFrame:
        """The issuing organisation: the batch's, or the row's 数据来源单位 if it is registered and in scope."""
        org_ids: list[int] = [self.root] * good.height
        if self.source_col is not None and good.height:
            name = self.plan.column_name("source_org_code")
            root_name = self.orgs.by_id[self.root][1]
            for i, (row_no, code) in enumerate(good.select("_row", self.source_col).iter_rows()):
                if not code:
                    continue
                org_id = self.orgs.by_code.get(code)
                if org_id is None:
                    continue
                if not self.orgs.in_scope(org_id, self.root):
                    reasons[row_no] = (f"{name}：{code}（{self.orgs.by_id[org_id][1]}）不在“{root_name}”及其下级单位范围内，"
                                       "不能以其名义报送")
                else:
                    org_ids[i] = org_id
        good = good.with_columns(pl.Series("issuing_org_id", org_ids, dtype=pl.Int64))
        return good.filter(~pl.col("_row").is_in(list(reasons))) if reasons else good

    def _match(self, recs: pl.DataFrame, reasons: dict[int, str], out: Outcome) -> pl.DataFrame:
        numbers = recs["decision_number"].unique().to_list()
        existing = records.fetch_existing(self.version.record_type_id, numbers)
        if not existing.height:
            out.creates = recs
            return recs
        ex = existing.sort("x_id")
        by_code = (ex.filter(pl.col("x_counterparty_code") != "").unique(["x_decision_number", "x_counterparty_code"],
                                                                           keep="first", maintain_order=True)
                   .select(pl.col("x_decision_number").alias("decision_number"),
                           pl.col("x_counterparty_code").alias("_code"), pl.col("x_id").alias("_by_code")))
        by_name = (ex.unique(["x_decision_number", "x_counterparty_name"], keep="first", maintain_order=True)
                   .select(pl.col("x_decision_number").alias("decision_number"),
                           pl.col("x_counterparty_name").alias("counterparty_name"), pl.col("x_id").alias("_by_name")))
        recs = (recs.with_columns(pl.when(pl.col("counterparty_code") != "").then(pl.col("counterparty_code"))
                                  .otherwise(None).alias("_code"))
                .join(by_code, on=["decision_number", "_code"], how="left", maintain_order="left")
                .join(by_name, on=["decision_number", "counterparty_name"], how="left", maintain_order="left")
                .with_columns(pl.coalesce("_by_code", "_by_name").alias("x_id"))
                .drop("_code", "_by_code", "_by_name"))
        creates = recs.filter(pl.col("x_id").is_null()).drop("x_id")
        matched = recs.filter(pl.col("x_id").is_not_null())
        if matched.height:
            matched = matched.with_columns(pl.col("_row").min().over("x_id").alias("_first"))
            for row_no, first in matched.filter(pl.col("_row") != pl.col("_first")).select("_row", "_first").iter_rows():
                reasons[row_no] = f"与第 {first} 行对应同一条已有记录（文件内重复）"
            matched = matched.filter(pl.col("_row") == pl.col("_first")).drop("_first").join(existing, on="x_id",
                                                                                              maintain_order="left")
            matched = self._compare(matched, reasons, out)
        out.creates = creates
        return recs

    def _compare(self, matched: pl.DataFrame, reasons: dict[int, str], out: Outcome) -> pl.DataFrame:
        scope = [self.orgs.in_scope(int(o), self.root) if o is not None else False
                 for o in matched["x_issuing_org_id"].cast(pl.Int64, strict=False).to_list()]
        matched = matched.with_columns(pl.Series("_scope", scope, dtype=pl.Boolean))
        data_col = "_data_pg" if connection.vendor == "postgresql" else "_data_db"
        matched = matched.with_columns((records.compare_text() == pl.col("x_cmp")).fill_null(False).alias("_same_cols"),
                                       (pl.col(data_col) == pl.col("x_data")).fill_null(False).alias("_same_data"))
        unsure = matched.filter(pl.col("_same_cols") & ~pl.col("_same_data"))
        if unsure.height:  # stored JSON written in another key order or spacing: compare as objects
            eq = records.data_equal(unsure["_data_canon"].to_list(), unsure["x_data"].to_list())
            fixed = unsure.select("_row").with_columns(pl.Series("_eq", eq, dtype=pl.Boolean))
            matched = (matched.join(fixed, on="_row", how="left", maintain_order="left")
                       .with_columns((pl.col("_same_data") | pl.col("_eq").fill_null(False)).alias("_same_data"))
                       .drop("_eq"))
        matched = matched.with_columns((pl.col("_same_cols") & pl.col("_same_data")).alias("_same"))
        for row_no, org_id, number in matched.filter(~pl.col("_scope")).select("_row", "x_issuing_org_id",
                                                                               "decision_number").iter_rows():
            holder = self.orgs.by_id.get(int(org_id), ("", "其他单位", ""))[1] if org_id is not None else "其他单位"
            reasons[row_no] = f"决定文书号“{number}”的这条记录由“{holder}”报送，不在本单位范围内，不能更正"
        matched = matched.filter(pl.col("_scope"))
        same = matched.filter(pl.col("_same"))
        out.unchanged += same.height
        out.outcomes.extend(zip(same["_row"].to_list(), same["x_id"].to_list(),
                                updated_micros(same["x_updated"].to_list()), strict=True))
        changed = matched.filter(~pl.col("_same"))
        final = changed.filter(pl.col("x_status").is_in([str(s) for s in records.FINAL]))
        for row_no, status in final.select("_row", "x_status").iter_rows():
            reasons[row_no] = f"该记录状态为“{status}”，不能通过归集更正"
        out.updates = changed.filter(~pl.col("x_status").is_in([str(s) for s in records.FINAL]))
        return matched

    # -- committing --------------------------------------------------------------------------

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
        (PostgreSQL's sequence) also the ids, digests and Merkle root, leaving the writer the COPY."""
        if out.creates is None or not out.creates.height or ledger_mode() != "chunk":
            return
        draft = self._draft(out.creates, clock.now())
        if records.ids_outside_transaction():
            out.new = self._finish(draft)
        else:
            out.draft = draft

    def _draft(self, creates: pl.DataFrame, now: dt.datetime) -> Draft:
        frame = self.builder.with_ciphers(creates)
        return Draft(frame, now, records.draft_states(frame, now))

    def _finish(self, draft: Draft) -> NewRecords:
        ids = records.allocate_ids(draft.frame.height)
        frame = draft.frame.with_columns(pl.Series("id", ids, dtype=pl.Int64))
        blob = integrity.pack(ids, records.record_digests(frame, self.builder, draft.now, draft.states))
        return NewRecords(frame, draft.now, blob, integrity.merkle_root(blob))

    def _create(self, out: Outcome, now: dt.datetime) -> tuple[bytes, str]:
        assert out.creates is not None
        if ledger_mode() == "row":
            frame = self.builder.with_ciphers(out.creates)
            objs = [records.builder_instance(self.builder, row, now) for row in frame.iter_rows(named=True)]
            create_with_entries(CreditRecord, objs, actor=self.batch.created_by or self.batch.actor, action="record.create",
                                reason=f"归集批次 #{self.batch.pk}")
            return b"", ""
        new = out.new or self._finish(out.draft or self._draft(out.creates, now))
        records.insert_records(new.frame, new.now)
        stamp = micros(new.now)
        out.outcomes.extend((row, pk, stamp) for row, pk in new.frame.select("_row", "id").iter_rows())
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


# --------------------------------------------------------------------------- running a batch

def _fail(batch: ImportBatch, status: str, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, message=message[:4000], finished_at=clock.now())
    batch.refresh_from_db()
    return batch


def _check_submitter(version: RecordTypeVersion, org: Organization) -> None:
    if version.submitters and not any(f"{code}/" in org.path for code in version.submitters):
        raise FileRejected(f"{org.name} 不是“{version.record_type.name}”的报送单位，不能提交该类信息。")


STALE_HEARTBEAT = dt.timedelta(seconds=60)  # a batch 处理中 without progress for longer: its worker died


def this_host() -> str:
    """This machine's name as a claim carries it (the claim column has room for 100 characters)."""
    return socket.gethostname()[:40]


def claim_token() -> str:
    """A claim naming its process (``host:pid:random``), so that another process on the same machine can
    tell at once that the claimant has died (:func:`claimant_gone`) instead of waiting for its heartbeat."""
    return f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex}"


def claimant_gone(worker: str) -> bool:
    """Whether the process that made claim ``worker`` ran on this machine and no longer exists."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != this_host() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _stalled(now: dt.datetime) -> Q:
    return Q(status=BatchStatus.RUNNING) & (Q(heartbeat__isnull=True) | Q(heartbeat__lt=now - STALE_HEARTBEAT))


def _claim(batch_id: int, worker: str | None) -> str | None:
    """Claim the batch for this process in one conditional UPDATE; the new claim, or None if another
    live process holds it. Free are batches 待处理 or 失败, 处理中 ones whose heartbeat stopped, and the
    one :func:`resume_stalled` handed to this task (``worker``)."""
    now = clock.now()
    free = Q(status__in=[BatchStatus.PENDING, BatchStatus.FAILED]) | _stalled(now)
    if worker:
        free |= Q(status=BatchStatus.RUNNING, worker=worker)
    holder = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).values_list("worker", flat=True).first()
    if holder and claimant_gone(holder):
        free |= Q(status=BatchStatus.RUNNING, worker=holder)
    token = claim_token()
    claimed = ImportBatch.objects.filter(free, pk=batch_id).update(
        status=BatchStatus.RUNNING, worker=token, heartbeat=now, started_at=Coalesce(F("started_at"), Value(now)))
    return token if claimed else None


def _beat(batch: ImportBatch, worker: str) -> None:
    """Renew the heartbeat during long work before the first chunk (reading, checking a whole file)."""
    ImportBatch.objects.filter(pk=batch.pk, worker=worker).update(heartbeat=clock.now())


def _in_site_language(func: Callable[P, R]) -> Callable[P, R]:
    """Run in the site's language (Chinese) whatever the request's: what a batch stores — its rejected rows'
    reasons, its error report, its summary — is a file the clerk opens, fixes and uploads again, in the
    catalog's language, the same from a page, the API, the command line or the task queue."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)
    return wrapper


@_in_site_language
def run_batch(batch_id: int, *, chunk_size: int | None = None,
              progress: Callable[[ImportBatch, int], None] | None = None, worker: str | None = None) -> ImportBatch:
    """Process a batch, or continue it after the last committed chunk (after a kill or a 失败).

    The batch is claimed first, so only one process works on it; its heartbeat is renewed with every
    chunk. Returns it 已完成, 已退回 or 失败 (or unchanged, with a message, if another process holds it).
    """
    batch = ImportBatch.objects.select_related("type_version__record_type", "org").get(pk=batch_id)
    if batch.status in (BatchStatus.DONE, BatchStatus.RETURNED):
        return batch
    size = chunk_size or chunk_size_setting()
    token = _claim(batch.pk, worker)
    if token is None:
        batch.message = f"批次 #{batch.pk} 正由其他进程处理；该进程停止后 1 分钟内会自动继续，也可稍后重新运行。"
        return batch
    batch.refresh_from_db()
    version = batch.type_version
    try:
        _check_submitter(version, batch.org)
        names = accepted_names(version.fields)
        with open_table(Path(batch.file_path), names, fmt=batch.file_format, sheet=batch.sheet,
                        file_name=batch.file_name) as table:
            plan = plan_columns(table.header, version.fields, type_name=version.record_type.name,
                                letters=table.format in ("csv", "xlsx"))
            ImportBatch.objects.filter(pk=batch.pk).update(header_row=table.header_row, columns=table.header,
                                                           file_format=table.format, rows_estimate=table.estimate)
            batch.columns, batch.header_row, batch.file_format = table.header, table.header_row, table.format
            batch.rows_estimate = table.estimate
            _beat(batch, token)
            processor = Processor(batch, table, plan, token)
            if batch.batch_mode == BatchMode.ALL_OR_NOTHING and not batch.dry_run:
                _all_or_nothing(batch, table, processor, size, progress, token)
            else:
                _chunked(batch, table, processor, size, progress)
    except _Returned as e:
        return return_with_report(batch, str(e))
    except FileRejected as e:
        return _fail(batch, BatchStatus.RETURNED, str(e))
    except BatchConflict as e:
        batch.refresh_from_db()
        batch.message = str(e)
        return batch
    except Exception as e:
        # The cause goes to the server log. The clerk reads it only when it was written for people (in
        # Chinese); a library's own (English) words are replaced by where to find them.
        logger.exception("归集批次 #%s 处理失败", batch.pk)
        detail = str(e) if _CJK.search(str(e)) else f"详情已记入服务器日志（批次 #{batch.pk}）"
        return _fail(batch, BatchStatus.FAILED, f"处理失败（系统错误），已提交的块保持不变，可重新运行继续：{detail[:500]}")
    return _finish(batch)


def _chunked(batch: ImportBatch, table: Table, processor: Processor, size: int,
             progress: Callable[[ImportBatch, int], None] | None) -> None:
    resume_after = batch.last_row
    expect = batch.last_row
    with ChunkWriter(processor, write=not batch.dry_run, progress=progress) as writer:
        for frame in table.frames(size):
            if resume_after:
                done = frame.filter(pl.col("_row") <= resume_after)
                if done.height:  # rebuild the duplicate check from rows committed before the interruption
                    processor.classify(done)
                    frame = frame.filter(pl.col("_row") > resume_after)
                if not frame.height:
                    continue
            out = processor.classify(frame)
            writer.commit(out, expect_last_row=expect)
            expect = out.last_row


def _close_thread_connections() -> None:
    """Close the calling thread's database connections (Django keeps one per thread)."""
    connections.close_all()


class ChunkWriter:
    """Commits a batch's chunks one after the other — on a second thread when it can.

    While chunk N is written (COPY, ledger entry, progress: mostly the database's work), chunk N+1
    is read and checked on the calling thread, so the two overlap. That is safe because checking a
    chunk never depends on the chunk before it being in the database: duplicates within the file are
    caught in memory (``Processor.seen``), and the writer commits in file order, each chunk checking
    that the batch's progress is where the previous one left it.

    The writer thread has its own database connection, so it cannot see uncommitted work of the
    caller: inside a caller's transaction (``atomic``, e.g. in tests) chunks are written inline.
    ``settings.INTAKE_PIPELINE = False`` also writes inline.
    """

    def __init__(self, processor: Processor, *, write: bool,
                 progress: Callable[[ImportBatch, int], None] | None) -> None:
        self.processor = processor
        self.write = write
        self.progress = progress
        self.threaded = bool(getattr(settings, "INTAKE_PIPELINE", True)) and not connection.in_atomic_block
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-writer") if self.threaded else None
        self.pending: tuple[Future[IntakeChunk], int] | None = None

    def commit(self, out: Outcome, *, expect_last_row: int) -> None:
        if self.executor is None:
            self.processor.commit(out, write=self.write, expect_last_row=expect_last_row)
            self._progress(out.rows)
            return
        if self.write:
            self.processor.prepare(out)
        self.wait()
        self.pending = (self.executor.submit(self.processor.commit, out, write=self.write,
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
            self.progress(self.processor.batch, rows)

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


def _all_or_nothing(batch: ImportBatch, table: Table, processor: Processor, size: int,
                    progress: Callable[[ImportBatch, int], None] | None, worker: str) -> None:
    outcomes = []
    rejected = 0
    for frame in table.frames(size):
        out = processor.classify(frame)
        rejected += len(out.rejected)
        outcomes.append(out)
        _beat(batch, worker)
        if progress:
            progress(batch, out.rows)
    if rejected:
        with transaction.atomic():
            for out in outcomes:
                processor.commit(Outcome(out.first_row, out.last_row, out.rows, unchanged=0, rejected=out.rejected),
                                 write=False, expect_last_row=None)
            ImportBatch.objects.filter(pk=batch.pk).update(accepted=0, updated=0, unchanged=0)
        batch.refresh_from_db()
        raise _Returned(f"该类信息要求整批通过：{rejected:,} 行有误，整批退回，未写入任何记录。请按错误报告修改后重新提交。")
    with transaction.atomic():
        for out in outcomes:
            processor.commit(out, write=True, expect_last_row=None)


class _Returned(FileRejected):
    pass


def _finish(batch: ImportBatch) -> ImportBatch:
    batch.refresh_from_db()
    report = ""
    if batch.rejected:
        report = str(write_report(batch))
    prefix = "试运行（未写入）：" if batch.dry_run else ""
    message = (f"{prefix}共 {batch.total_rows:,} 行：新增 {batch.accepted:,} 条，更正 {batch.updated:,} 条，"
               f"未变化 {batch.unchanged:,} 条，退回 {batch.rejected:,} 行。")
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.DONE, message=message, error_report=report,
                                                   finished_at=clock.now())
    batch.refresh_from_db()
    return batch


def return_with_report(batch: ImportBatch, message: str) -> ImportBatch:
    report = str(write_report(batch)) if batch.rejected else ""
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RETURNED, message=message, error_report=report,
                                                   finished_at=clock.now())
    batch.refresh_from_db()
    return batch


def enqueue(batch: ImportBatch, worker: str | None = None) -> str | None:
    """Hand the batch to the task queue (django-q2); the page polls its status."""
    from django_q.tasks import async_task

    return async_task("govcredit.intake.tasks.process_batch", batch.pk, worker, task_name=f"归集批次 #{batch.pk}",
                      group="intake")


def resume_stalled() -> int:
    """Hand every batch whose worker died back to the queue: run every minute, and by every task-queue
    worker as it starts (so a worker killed and restarted by its cluster resumes its batch at once).

    A batch 处理中 whose claimant process on this machine no longer exists, or whose heartbeat is older
    than :data:`STALE_HEARTBEAT` (a worker on another machine), is claimed in one conditional
    UPDATE (so two schedulers never both take it) with a new claim that only the enqueued task holds;
    that task continues after the batch's last committed chunk. Returns the number of batches resumed.
    """
    resumed = 0
    host = this_host()
    dead = [b.pk for b in ImportBatch.objects.filter(status=BatchStatus.RUNNING, worker__startswith=f"{host}:")
            .only("pk", "worker") if claimant_gone(b.worker)]
    for batch in ImportBatch.objects.filter(_stalled(clock.now()) | Q(pk__in=dead)).order_by("pk")[:100]:
        worker = uuid.uuid4().hex
        taken = Q(worker=batch.worker) if batch.pk in dead else _stalled(clock.now())
        if ImportBatch.objects.filter(taken, pk=batch.pk, status=BatchStatus.RUNNING).update(
                worker=worker, heartbeat=clock.now()) != 1:
            continue
        logger.warning("归集批次 #%s 的处理进程已停止（最近进展 %s），交由后台任务继续处理", batch.pk, batch.heartbeat)
        enqueue(batch, worker)
        resumed += 1
    return resumed
