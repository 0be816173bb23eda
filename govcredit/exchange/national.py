"""Export of licensing and penalty decisions to the national credit platform (全国信用信息共享平台).

Files follow the national 双公示 data standard: one CSV per type (行政处罚 ``xzcf``, 行政许可 ``xzxk``) whose
columns are the catalog's field labels of the type's current version, in catalog order (the catalog copies
the standard's column names and order). A manifest (``<batch>_manifest.json``) lists the time range, the counts and
the SHA-256 of every file. Files are written under ``MEDIA_ROOT/exchange/<time>-<batch>/`` with mode 0600.
Cells are formatted by :mod:`govcredit.core.spreadsheet`, so text that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@`` …) carries a leading apostrophe; amounts stay numbers.

**Incremental**: each run exports the decisions whose ``updated_at`` lies in (since, until], where ``since``
is the previous successful run's ``until``. Because a long transaction may commit a row whose ``updated_at``
is earlier than a watermark already taken, every run looks back ``OVERLAP`` further and skips the exact
record versions (record id + ``updated_at``) that a successful run already sent: at-least-once without
duplicates. A decision that was sent and has since been revoked, repaired or expired is listed in the
withdrawals file (撤回清单) so the platform can take it down.

**Personal data**: natural persons' ID numbers (证件号码) and names are masked by default. The standard asks
for the full number; it is written only when the operator runs the command with ``--full-id-numbers`` and an
account in ``access.FULL_ID_NUMBERS`` (the credit office). Decryption then happens only inside that command
run; the web pages and the API can only start or show masked exports, and the manifest records the mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from govcredit.accounts import access
from govcredit.archive.display import record_person_names
from govcredit.archive.models import CounterpartyKind, CreditRecord
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.core import clock, crypto, jobs, spreadsheet
from govcredit.core.errors import DomainError
from govcredit.disclosure.rules import SHOWN_STATUSES, refusal
from govcredit.subjects.identifiers import mask_id_number, mask_name, mask_text

from .models import ExchangeExport, ExchangeFile, ExchangeItem, ExportStatus, IdNumbers, ItemAction

NATIONAL_TYPES: dict[str, str] = {"xzcf": "行政处罚", "xzxk": "行政许可"}
OVERLAP = dt.timedelta(minutes=10)
STALE_RUN = dt.timedelta(hours=6)
CHUNK = 2000
WITHDRAWAL_HEADER = ["信息类别", "决定文书号", "决定机关", "决定日期", "当前状态", "变更时间"]
STANDARD = "全国信用信息共享平台“双公示”数据标准（字段名称及顺序取自本平台目录）"

T = TypeVar("T")


class ExportError(DomainError):
    """The export cannot run; the message is Chinese."""


def national_versions() -> dict[str, RecordTypeVersion]:
    return {code: RecordType.objects.get(code=code).current() for code in NATIONAL_TYPES}


def national_fields(version: RecordTypeVersion) -> list[dict[str, Any]]:
    """The version's fields that are columns of the standard, in the standard's (catalog) order.

    Fields marked ``"national": false`` (严重程度, the earlier edition's source metadata …) are kept with the
    record but are not columns of the standard, so a file goes out in the columns it came in.
    """
    return [spec for spec in version.fields if spec.get("national", True)]


def national_columns(version: RecordTypeVersion) -> list[str]:
    """The standard's column names in order: the catalog labels of the version's national fields."""
    return [spec["label"] for spec in national_fields(version)]


def row_values(record: CreditRecord, fields: list[dict[str, Any]], *, full_id_numbers: bool) -> list[Any]:
    """The record's values in the order of ``fields`` (the current version's fields), typed as stored.

    Without ``full_id_numbers`` a natural person's name and every ID number are masked, and so is
    personal data inside every text (``mask_text``: ID and phone numbers however written, the names of
    the persons the record is about); with it the encrypted number is decrypted here, and only here.
    """
    natural = record.counterparty_kind == CounterpartyKind.NATURAL
    names = [] if full_id_numbers else record_person_names(record)
    out = []
    for spec in fields:
        column = spec.get("column")
        if column in ("counterparty_id", "legal_rep_id"):  # the counterparty's and the legal representative's
            cipher = getattr(record, f"{column}_cipher")
            value: Any = crypto.decrypt(cipher) if full_id_numbers and cipher else getattr(record, f"{column}_masked")
        elif column:
            value = getattr(record, column, None)
            if column == "counterparty_name" and natural and not full_id_numbers:
                value = mask_name(value or "")
        else:
            value = record.data.get(spec["key"])
            if spec.get("type") == "id_number" and value and not full_id_numbers:
                value = mask_id_number(str(value))
        if not full_id_numbers and isinstance(value, str) and spec.get("type") != "credit_code":
            value = mask_text(value, names)
        out.append(value)
    return out


def public_text(record: CreditRecord, *, full_id_numbers: bool) -> tuple[str, str]:
    """The decision number and authority of a withdrawal row, masked like :func:`row_values`."""
    if full_id_numbers:
        return record.decision_number, record.authority_name
    names = record_person_names(record)
    return mask_text(record.decision_number, names), mask_text(record.authority_name, names)


class _Line:
    """A file-like object that keeps the last write: lets csv.writer format one row at a time."""

    text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


class HashedCsv:
    """A CSV file written row by row, with its SHA-256 and size computed from the bytes as written."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows = 0
        self._line = _Line()
        self._writer = csv.writer(self._line, lineterminator="\r\n")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._write(header)

    def _write(self, values: list[Any]) -> None:
        self._writer.writerow(spreadsheet.csv_row(values))
        data = self._line.text.encode("utf-8")
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def write(self, values: list[Any]) -> int:
        """Write a data row (typed values, formatted by :mod:`govcredit.core.spreadsheet`); returns its number."""
        self._write(values)
        self.rows += 1
        return self.rows

    def close(self) -> None:
        self._file.close()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def last_successful() -> ExchangeExport | None:
    return ExchangeExport.objects.filter(status=ExportStatus.SUCCEEDED).order_by("-until", "-id").first()


def candidates(since: dt.datetime | None, until: dt.datetime, *, full_id_numbers: bool) -> QuerySet[CreditRecord]:
    """Decisions of the national types changed in (since − OVERLAP, until]."""
    qs = CreditRecord.objects.filter(record_type__code__in=list(NATIONAL_TYPES), updated_at__lte=until)
    if since is not None:
        qs = qs.filter(updated_at__gt=since - OVERLAP)
    qs = qs.select_related("record_type", "subject_person").defer("batch_id", "subject_person__id_cipher")
    if not full_id_numbers:
        qs = qs.defer("counterparty_id_cipher", "legal_rep_id_cipher")
    return qs.order_by("pk")


@dataclass(frozen=True)
class Plan:
    since: dt.datetime | None
    until: dt.datetime
    total: int


def plan(*, everything: bool = False, until: dt.datetime | None = None) -> Plan:
    """What the next run would look at (for the progress bar)."""
    previous = None if everything else last_successful()
    since = previous.until if previous else None
    until = until or clock.now()
    return Plan(since, until, candidates(since, until, full_id_numbers=False).count())


def run_export(*, operator: str, user: Any = None, full_id_numbers: bool = False, everything: bool = False,
               until: dt.datetime | None = None, progress: Callable[[int], None] | None = None) -> ExchangeExport:
    """Export the decisions changed since the last successful export; returns the finished export."""
    if full_id_numbers and not access.can_see_full_id(user):
        raise ExportError("导出完整证件号码需要信用管理部门或组织人事部门的账号（--operator）")
    now = clock.now()
    if ExchangeExport.objects.filter(status=ExportStatus.RUNNING, started_at__gt=now - STALE_RUN).exists():
        raise ExportError("另一个国家平台导出正在进行，请稍后再试")
    previous = None if everything else last_successful()
    since = previous.until if previous else None
    until = until or now
    if since is not None and until <= since:
        raise ExportError(f"截止水位 {until:%Y-%m-%d %H:%M:%S} 不晚于上次导出的水位")
    export = ExchangeExport.objects.create(since=since, until=until, operator=operator,
                                           id_numbers=IdNumbers.FULL if full_id_numbers else IdNumbers.MASKED)
    writers: dict[str, HashedCsv] = {}
    try:
        stamp = timezone.localtime(until).strftime("%Y%m%d-%H%M%S")
        relative = Path("exchange") / f"{stamp}-{export.batch_code}"
        directory = Path(settings.MEDIA_ROOT) / relative
        directory.mkdir(mode=0o700, parents=True, exist_ok=False)
        export.directory = str(relative)
        versions = national_versions()
        files: dict[str, ExchangeFile] = {}
        for code, version in versions.items():
            name = f"{export.batch_code}_{code}.csv"
            writers[code] = HashedCsv(directory / name, national_columns(version))
            files[code] = ExchangeFile.objects.create(export=export, kind=code, name=name, sha256="")
        name = f"{export.batch_code}_withdrawals.csv"
        writers["withdrawals"] = HashedCsv(directory / name, WITHDRAWAL_HEADER)
        files["withdrawals"] = ExchangeFile.objects.create(export=export, kind="withdrawals", name=name, sha256="")
        record_versions = {v.pk: v for v in RecordTypeVersion.objects.filter(record_type__code__in=list(NATIONAL_TYPES))}

        rows = candidates(since, until, full_id_numbers=full_id_numbers)
        for chunk in _chunks(rows.iterator(chunk_size=CHUNK), CHUNK):
            ids = [r.pk for r in chunk]
            sent = ExchangeItem.objects.filter(record_id__in=ids, export__status=ExportStatus.SUCCEEDED)
            already = set(sent.values_list("record_id", "record_updated_at"))
            last_action = dict(sent.order_by("record_id", "id").values_list("record_id", "action"))
            items: list[ExchangeItem] = []
            for record in chunk:
                if not everything and (record.pk, record.updated_at) in already:
                    continue
                record.type_version = record_versions[record.type_version_id]
                code = record.record_type.code
                if record.status in SHOWN_STATUSES and refusal(record) is None:
                    number = writers[code].write(row_values(record, national_fields(versions[code]),
                                                            full_id_numbers=full_id_numbers))
                    items.append(ExchangeItem(export=export, file=files[code], row_number=number, record=record,
                                              record_updated_at=record.updated_at,
                                              decision_number=record.decision_number, action=ItemAction.REPORT))
                elif last_action.get(record.pk) == ItemAction.REPORT:
                    number = writers["withdrawals"].write([
                        NATIONAL_TYPES[code], *public_text(record, full_id_numbers=full_id_numbers),
                        record.decision_date, record.status, record.updated_at])
                    items.append(ExchangeItem(export=export, file=files["withdrawals"], row_number=number,
                                              record=record, record_updated_at=record.updated_at,
                                              decision_number=record.decision_number, action=ItemAction.WITHDRAW))
            ExchangeItem.objects.bulk_create(items, batch_size=CHUNK)
            if progress is not None:
                progress(len(chunk))
        manifest_files = []
        for kind, writer in writers.items():
            writer.close()
            f = files[kind]
            f.rows, f.size, f.sha256 = writer.rows, writer.size, writer.sha256.hexdigest()
            f.save(update_fields=["rows", "size", "sha256"])
            of_type = versions.get(kind)
            manifest_files.append({
                "name": f.name, "type": kind, "type_name": NATIONAL_TYPES.get(kind, "撤回清单"),
                "catalog_version": of_type.version if of_type else None, "rows": f.rows, "bytes": f.size,
                "sha256": f.sha256, "columns": national_columns(of_type) if of_type else WITHDRAWAL_HEADER,
            })
        export.counts = {**{code: writers[code].rows for code in NATIONAL_TYPES},
                         "withdrawn": writers["withdrawals"].rows}
        manifest = {
            "batch": export.batch_code, "standard": STANDARD, "encoding": "UTF-8", "format": "CSV (RFC 4180)",
            "generated_at": timezone.localtime(clock.now()).isoformat(timespec="seconds"),
            "since": timezone.localtime(since).isoformat() if since else None,
            "until": timezone.localtime(until).isoformat(), "watermark": "信用记录更新时间 updated_at，区间 (since, until]",
            "id_numbers": export.id_numbers, "counts": export.counts, "files": manifest_files,
        }
        manifest_path = directory / f"{export.batch_code}_manifest.json"
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        fd = os.open(manifest_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        export.manifest_sha256 = hashlib.sha256(data).hexdigest()
        ExchangeFile.objects.create(export=export, kind="manifest", name=manifest_path.name,
                                    rows=0, size=len(data), sha256=export.manifest_sha256)
        export.status, export.finished_at = ExportStatus.SUCCEEDED, clock.now()
        export.save()
        return export
    except BaseException as e:
        for writer in writers.values():
            writer.close()
        export.status, export.finished_at, export.error = ExportStatus.FAILED, clock.now(), str(e)[:2000]
        export.save()
        raise


EXPORT_JOB = "国家平台导出"
EXPORT_TASK = "govcredit.exchange.national.export_job"


def request_export(operator: str) -> bool:
    """Queue a masked export for the task queue (what the exports page does); False when one is already
    queued or running. Full ID numbers are never exported this way: only the command line can."""
    return jobs.request_run(EXPORT_JOB, EXPORT_TASK, operator=operator)


def export_job(operator: str) -> int | None:
    """A masked incremental export run in a worker, its progress and result in the job's state row (which
    the exports page shows). Returns the export's id, or None when another run holds the claim."""
    planned = plan()
    if not jobs.start(EXPORT_JOB, planned.total):
        return None
    try:
        export = run_export(operator=operator, until=planned.until, progress=lambda n: jobs.advance(EXPORT_JOB, n))
    except ExportError as e:
        jobs.finish(EXPORT_JOB, False, {"error": str(e)})
        return None
    except BaseException as e:
        jobs.finish(EXPORT_JOB, False, {"error": f"{type(e).__name__}: {e}"[:500]})
        raise
    jobs.finish(EXPORT_JOB, True, {"export": export.pk, "batch": export.batch_code, "counts": export.counts})
    return export.pk


def file_path(export: ExchangeExport, f: ExchangeFile) -> Path:
    """Where a file of the export is on disk."""
    return Path(settings.MEDIA_ROOT) / export.directory / f.name
