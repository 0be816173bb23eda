"""Intake (归集): submitting batches and processing them chunk by chunk.

* :func:`submit_file` / :func:`submit_rows` create an :class:`ImportBatch` (待处理) for a file or for
  rows posted to the API; the same file submitted again while an earlier run of it is unfinished
  continues that batch instead of starting another one.
* :func:`run_batch` processes a batch. With the catalog's ``accept_valid`` mode each chunk is one
  transaction holding its records, its ledger entry, its rejected rows and the batch's progress,
  so a killed process leaves only whole chunks and a re-run continues after the last of them. With
  ``all_or_nothing`` the whole file is checked first and written in one transaction only if no
  row is rejected; otherwise the batch is 已退回 with the error report.
* Rows are matched to existing records by type + decision number + counterparty (code, else name)
  in :mod:`.matching`: identical rows count as 未变化 and write nothing, so submitting the same file
  twice changes nothing; a corrected row updates its record through the ledger. :mod:`.writer`
  commits each chunk, on a second thread while the next one is matched.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from govcredit.catalog.models import BatchMode, RecordType, RecordTypeVersion
from govcredit.core import clock
from govcredit.core.jobs import claim_run, hand_back_stalled
from govcredit.subjects.models import Organization

from .columns import accepted_names, plan_columns
from .matching import Matcher, Outcome
from .models import BatchSource, BatchStatus, ImportBatch
from .report import write_report
from .sources import FileRejected, Table, copy_file, file_digest, limits, open_table, rows_table
from .writer import BatchConflict, ChunkCommitter, ChunkWriter

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("govcredit.intake")
#: Chinese characters: a message written for the clerk rather than by a library.
_CJK = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_CHUNK = 10_000  # two chunks are in memory at once (one checked, one written)


def chunk_size_setting() -> int:
    return int(getattr(settings, "INTAKE_CHUNK_SIZE", DEFAULT_CHUNK))


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "intake" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_type(name_or_code: str) -> RecordType:
    rtype: RecordType | None = (RecordType.objects.filter(name=name_or_code).first()
                                or RecordType.objects.filter(code=name_or_code).first())
    if rtype is None:
        names = "、".join(RecordType.objects.values_list("name", flat=True))
        raise FileRejected(f"没有信息类别“{name_or_code}”；可选：{names}", field="record_type")
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
    if isinstance(rows, list) and len(rows) > limits().api_max_rows:
        raise FileRejected(f"一次最多提交 {limits().api_max_rows:,} 行，本次 {len(rows):,} 行：请分批提交或上传文件。",
                           field="rows")
    try:
        rows_table(rows)  # shape check before anything is stored
    except FileRejected as e:
        raise FileRejected(str(e), field="rows") from e
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


# --------------------------------------------------------------------------- running a batch

def _fail(batch: ImportBatch, status: str, message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, message=message[:4000], finished_at=clock.now())
    batch.refresh_from_db()
    return batch


def _check_submitter(version: RecordTypeVersion, org: Organization) -> None:
    if version.submitters and not any(f"{code}/" in org.path for code in version.submitters):
        raise FileRejected(f"{org.name} 不是“{version.record_type.name}”的报送单位，不能提交该类信息。")


STALE_HEARTBEAT = dt.timedelta(seconds=60)  # a batch 处理中 without progress for longer: its worker died


def _claim(batch_id: int, worker: str | None) -> str | None:
    """Claim the batch for this process (``core.jobs.claim_run``): free are batches 待处理 or 失败, 处理中 ones
    whose worker died, and the one :func:`resume_stalled` handed to this task (``worker``)."""
    return claim_run(ImportBatch, batch_id, waiting=Q(status__in=[BatchStatus.PENDING, BatchStatus.FAILED]),
                     running=BatchStatus.RUNNING, stale=STALE_HEARTBEAT, handed=worker)


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
            matcher = Matcher(batch, plan)
            committer = ChunkCommitter(batch, matcher.builder, token)
            if batch.batch_mode == BatchMode.ALL_OR_NOTHING and not batch.dry_run:
                _all_or_nothing(batch, table, matcher, committer, size, progress, token)
            else:
                _chunked(batch, table, matcher, committer, size, progress)
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


def _chunked(batch: ImportBatch, table: Table, matcher: Matcher, committer: ChunkCommitter, size: int,
             progress: Callable[[ImportBatch, int], None] | None) -> None:
    resume_after = batch.last_row
    expect = batch.last_row
    with ChunkWriter(committer, write=not batch.dry_run, progress=progress) as writer:
        for frame in table.frames(size):
            if resume_after:
                done = frame.filter(pl.col("_row") <= resume_after)
                if done.height:  # rebuild the duplicate check from rows committed before the interruption
                    matcher.classify(done)
                    frame = frame.filter(pl.col("_row") > resume_after)
                if not frame.height:
                    continue
            out = matcher.classify(frame)
            writer.commit(out, expect_last_row=expect)
            expect = out.last_row


def _all_or_nothing(batch: ImportBatch, table: Table, matcher: Matcher, committer: ChunkCommitter, size: int,
                    progress: Callable[[ImportBatch, int], None] | None, worker: str) -> None:
    outcomes = []
    rejected = 0
    for frame in table.frames(size):
        out = matcher.classify(frame)
        rejected += len(out.rejected)
        outcomes.append(out)
        _beat(batch, worker)
        if progress:
            progress(batch, out.rows)
    if rejected:
        with transaction.atomic():
            for out in outcomes:
                committer.commit(Outcome(out.first_row, out.last_row, out.rows, unchanged=0, rejected=out.rejected),
                                 write=False, expect_last_row=None)
            ImportBatch.objects.filter(pk=batch.pk).update(accepted=0, updated=0, unchanged=0)
        batch.refresh_from_db()
        raise _Returned(f"该类信息要求整批通过：{rejected:,} 行有误，整批退回，未写入任何记录。请按错误报告修改后重新提交。")
    with transaction.atomic():
        for out in outcomes:
            committer.commit(out, write=True, expect_last_row=None)


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

    task_id: str | None = async_task("govcredit.intake.tasks.process_batch", batch.pk, worker,
                                     task_name=f"归集批次 #{batch.pk}", group="intake")
    return task_id


def resume_stalled() -> int:
    """Hand every batch whose worker died back to the queue: run every minute, and by every task-queue
    worker as it starts (so a worker killed and restarted by its cluster resumes its batch at once).

    A batch 处理中 whose claimant process on this machine no longer exists, or whose heartbeat is older
    than :data:`STALE_HEARTBEAT` (a worker on another machine), is claimed in one conditional
    UPDATE (so two schedulers never both take it) with a new claim that only the enqueued task holds;
    that task continues after the batch's last committed chunk. Returns the number of batches resumed.
    """
    return hand_back_stalled(ImportBatch, running=BatchStatus.RUNNING, stale=STALE_HEARTBEAT, enqueue=enqueue,
                             describe=lambda b: f"归集批次 #{b.pk} 的处理进程已停止（最近进展 {b.heartbeat}），交由后台任务继续处理")
