"""An import of projects and promises as a run (``ImportJob``), the way the intake runs its batches: a page
upload is checked (is it a workbook or CSV file of this import?), stored under MEDIA_ROOT, recorded as a run
(排队中) and handed to the task queue (django-q2, :mod:`.tasks`); the run's page shows its progress and then
its result. The command runs the same :func:`run_job` in its own process, with its progress bar.

* :func:`check_upload` reads only the file's headers: a wrong file is refused before anything is stored.
* :func:`submit` stores the file and records the run; :func:`enqueue` hands it to the queue.
* :func:`run_job` claims the run (one conditional UPDATE, so two workers never both run it: a run 导入中 whose
  worker died, seen by its claim (``core.jobs.claimant_gone``) or its stopped heartbeat, may be claimed again),
  imports through :func:`.importer.import_commitments` (each project, each promise its own transaction) and
  writes its progress between them. It ends 已完成 with the counts, the rows' errors and the ledgered
  ``CommitmentImport`` (the XLSX error report), or 失败 with the reason; what was committed before a failure
  stays, and the same file imported again goes on where it stopped (rows already imported count as unchanged).
* The new promises' query codes are kept encrypted (``ImportCode``), each in its promise's transaction, until
  :func:`take_codes` shows them once to the person who ran the import.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from govcredit.core import clock, crypto
from govcredit.core.errors import DomainError
from govcredit.core.jobs import claim_run, hand_back_stalled
from govcredit.intake.sources import file_digest

from . import importer
from .models import ImportCode, ImportJob, ImportSource, ImportStatus

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("govcredit.commitments")
_CJK = re.compile(r"[\u4e00-\u9fff]")  # a message written for the clerk rather than by a library

STALE_HEARTBEAT = dt.timedelta(minutes=2)  # a run 导入中 without progress for longer: its worker died
BEAT_EVERY = dt.timedelta(seconds=1)  # progress is written at most this often (and at the end)


class UploadRejected(DomainError):
    """The uploaded file is not one this import reads (nothing was stored)."""


def storage_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "commitments" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_upload(path: Path, file_name: str) -> None:
    """Refuse a file that is not a workbook or CSV file of this import (headers only: quick at any size)."""
    parsed = importer.read_file(path, file_name, header_only=True)
    if not parsed.sheets:
        reasons = "；".join(f"{sheet + '：' if sheet else ''}{message}{'（' + columns + '）' if columns else ''}"
                           for sheet, _row, columns, message in parsed.errors)
        raise UploadRejected(reasons or _("文件中没有可导入的工作表，请使用导入模板。"), field="file")


def submit(path: Path, *, user: Any, file_name: str = "", dry_run: bool = False, source: str = ImportSource.UPLOAD,
           stored: bool = False) -> ImportJob:
    """Record a run (排队中) for the file. A page's upload is copied under MEDIA_ROOT (``stored``: it is there
    already); the command's file is read where it is."""
    sha256, size = file_digest(path)
    name = (file_name or path.name)[:200]
    dest = path
    if source == ImportSource.UPLOAD and not stored:
        dest = storage_dir() / f"{sha256}{Path(name).suffix.lower()[:10]}"
        if not dest.exists():
            shutil.copyfile(path, dest)
    return ImportJob.objects.create(
        user=user if getattr(user, "pk", None) else None, org_id=getattr(user, "organization_id", None),
        actor=user.get_username(), source=source, file_name=name, file_path=str(dest), sha256=sha256, size=size,
        dry_run=dry_run, created_at=clock.now())


def store_upload(upload: Any, folder: Path) -> Path:
    """Write a page's upload into ``folder`` (a temporary one: it is checked before it is stored)."""
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    path = folder / f"upload{suffix}"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return path


def enqueue(job: ImportJob, worker: str | None = None) -> str | None:
    """Hand the run to the task queue (django-q2); its page follows it."""
    from django_q.tasks import async_task

    task_id: str | None = async_task("govcredit.commitments.tasks.process_import", job.pk, worker,
                                     task_name=f"PPP项目与承诺导入 #{job.pk}", group="commitments-import")
    return task_id


def resume_stalled() -> int:
    """Hand every run whose worker died back to the queue (every minute): a run 导入中 whose claimant process on
    this machine no longer exists, or whose heartbeat stopped :data:`STALE_HEARTBEAT` ago. Each is handed over
    in one conditional UPDATE with a new claim only the enqueued task holds, so two schedulers never both take
    it. The task imports the file again from its start: rows committed before count as unchanged."""
    return hand_back_stalled(ImportJob, running=ImportStatus.RUNNING, stale=STALE_HEARTBEAT, enqueue=enqueue,
                             describe=lambda j: f"PPP项目与承诺导入 #{j.pk} 的处理进程已停止（最近进展 {j.heartbeat}），交由后台任务重新导入")


def _claim(job_id: int, handed: str | None = None) -> str | None:
    """Claim the run for this process (``core.jobs.claim_run``; its progress starts again): free are runs 排队中,
    runs 导入中 whose worker died, and the one :func:`resume_stalled` handed to this task."""
    return claim_run(ImportJob, job_id, waiting=Q(status=ImportStatus.QUEUED), running=ImportStatus.RUNNING,
                     stale=STALE_HEARTBEAT, handed=handed, rows_done=0)


class _Progress:
    """Counts rows as the import reports them and writes them (the heartbeat too) at most every second."""

    def __init__(self, job: ImportJob, worker: str, report: importer.ImportReport,
                 also: Callable[[int], None] | None) -> None:
        self.job, self.worker, self.report, self.also = job, worker, report, also
        self.done = 0
        self.written = clock.now()

    def __call__(self, n: int) -> None:
        self.done += n
        if self.also is not None:
            self.also(n)
        now = clock.now()
        if now - self.written >= BEAT_EVERY:
            self.write(now)

    def write(self, now: dt.datetime | None = None) -> None:
        self.written = now or clock.now()
        ImportJob.objects.filter(pk=self.job.pk, worker=self.worker).update(
            rows_done=self.done, heartbeat=self.written, counts=dict(self.report.counts))


def _in_site_language(func: Callable[P, R]) -> Callable[P, R]:
    """Run in the site's language (Chinese) whatever the caller's: the rows' reasons and the error report are
    read and fixed by the clerk in the template's language, the same from the page, the queue or the command."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)
    return wrapper


@_in_site_language
def run_job(job_id: int, *, progress: Callable[[int], None] | None = None, keep_codes: bool = True,
            parsed: importer.Parsed | None = None, worker: str | None = None
            ) -> tuple[ImportJob, importer.ImportReport | None]:
    """Run the import of a run 排队中 (or of one whose worker died); returns the run, 已完成 or 失败, and the
    import's report (None if the run was not this process's to run). ``progress(n)`` is called as rows are
    done (the command's bar); ``keep_codes``: keep the new promises' query codes for the run's page (the
    command prints them instead); ``parsed``: the file as read already (the command sizes its bar first);
    ``worker``: the claim :func:`resume_stalled` handed to this task."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    token = _claim(job.pk, worker)
    if token is None:
        return job, None
    job.refresh_from_db()
    report = importer.ImportReport()
    beat = _Progress(job, token, report, progress)

    def keep(number: str, code: str) -> None:
        ImportCode.objects.create(job=job, number=number, code=crypto.encrypt(code))

    try:
        if job.user is None or not job.user.is_active:
            raise UploadRejected(_("导入人的账号已停用，未导入"))
        path = Path(job.file_path)
        parsed = parsed or importer.read_file(path, job.file_name)
        ImportJob.objects.filter(pk=job.pk).update(rows_total=parsed.total)
        importer.import_commitments(path, user=job.user, file_name=job.file_name, dry_run=job.dry_run, parsed=parsed,
                                    progress=beat, on_code=keep if keep_codes else None, report=report)
    except Exception as e:
        logger.exception("PPP项目与承诺导入 #%s 失败", job.pk)
        detail = str(e) if _CJK.search(str(e)) else _("详情已记入服务器日志（导入 #%(pk)s）") % {"pk": job.pk}
        message = _("导入失败：%(detail)s。失败前已导入的项目和承诺保持不变；改正后重新导入同一文件，已导入的行计为未变化。") % {
            "detail": detail[:500]}
        _end(job, token, report, beat, ImportStatus.FAILED, message)
    else:
        _end(job, token, report, beat, ImportStatus.DONE, "")
    job.refresh_from_db()
    return job, report


def _end(job: ImportJob, worker: str, report: importer.ImportReport, beat: _Progress, status: str,
         message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, worker=worker).update(
        status=status, message=message, rows_done=beat.done, counts=dict(report.counts), n_rejected=len(report.errors),
        errors=[list(e) for e in report.errors], run=report.run, finished_at=clock.now(), heartbeat=clock.now())


def take_codes(job: ImportJob, user: Any) -> list[tuple[str, str]]:
    """The new promises' query codes, for the person who ran the import and only once: read, then deleted."""
    if not job.finished or job.user_id is None or job.user_id != getattr(user, "pk", None):
        return []
    rows = list(ImportCode.objects.filter(job=job).order_by("pk"))
    if not rows or ImportCode.objects.filter(pk__in=[r.pk for r in rows]).delete()[0] != len(rows):
        return []  # another request took them at the same moment
    codes = []
    for r in rows:
        try:
            codes.append((r.number, crypto.decrypt(r.code)))
        except InvalidToken:  # kept under a field key removed since (codes wait here only until first read)
            logger.warning("导入 #%s：承诺 %s 的查询码无法解密，未显示", job.pk, r.number)
    return codes
