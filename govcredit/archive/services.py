"""Business rules of the credit archive: recording, correcting and changing the status of records.

Each function is one transaction with its ledger entry; nothing here deletes a row.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from govcredit.accounts.models import User
from govcredit.catalog import schema
from govcredit.catalog.models import RecordType, RecordTypeVersion, SubjectKind
from govcredit.catalog.services import SEVERITY_GIVEN, derive_severity
from govcredit.core import clock, crypto
from govcredit.core.errors import Conflict
from govcredit.core.jobs import RowFailure, read_rows
from govcredit.ledger.services import save_with_entry, update_with_entries
from govcredit.subjects.identifiers import mask_id_number, mask_name
from govcredit.subjects.models import CivilServant, Organization

from .models import CounterpartyKind, CreditRecord, RecordRequest, RecordStatus

# Which statuses a record may move to from each status (revocation and repair are final).
TRANSITIONS: dict[str, set[str]] = {
    RecordStatus.VALID: {RecordStatus.OBJECTION, RecordStatus.REPAIRED, RecordStatus.REVOKED, RecordStatus.EXPIRED},
    RecordStatus.OBJECTION: {RecordStatus.VALID, RecordStatus.REVOKED},
    RecordStatus.EXPIRED: {RecordStatus.OBJECTION, RecordStatus.REVOKED, RecordStatus.REPAIRED},
    RecordStatus.REPAIRED: set(),
    RecordStatus.REVOKED: set(),
}


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date | None
    earliest_repair: dt.date | None


def publicity_window(version: RecordTypeVersion, severity: str, decision_date: dt.date) -> Window:
    """The publicity window the catalog gives a record: from the decision for the longest period."""
    sev = version.severity(severity) or version.severities[0]
    return Window(start=decision_date, end=add_months(decision_date, int(sev["max_months"])),
                  earliest_repair=add_months(decision_date, int(sev["min_months"])))


def _check_submitter(version: RecordTypeVersion, issuing_org: Organization) -> None:
    if version.submitters and not any(issuing_org.path.find(f"{code}/") >= 0 for code in version.submitters):
        raise ValidationError({"issuing_org": f"{issuing_org.name} 不是“{version.record_type.name}”的报送单位"})


def _apply_values(record: CreditRecord, version: RecordTypeVersion, values: dict[str, Any]) -> None:
    data: dict[str, Any] = {}
    for spec in version.fields:
        key = spec["key"]
        if key not in values:
            continue
        value = values[key]
        column = spec.get("column")
        if column == "counterparty_id":
            record.set_counterparty_id(value)
        elif column == "legal_rep_id":
            record.set_legal_rep_id(value)
        elif column:
            setattr(record, column, value)
        else:
            data[key] = value.isoformat() if isinstance(value, dt.date) else str(value) if isinstance(value, Decimal) else value
    record.data = data


def build_record(version: RecordTypeVersion, raw: dict[str, Any], *, issuing_org: Organization,
                 subject_org: Organization | None = None, subject_person: CivilServant | None = None) -> CreditRecord:
    """Validate raw field values and make an unsaved record; raises ValidationError by field label."""
    cleaned = schema.validate(version.fields, raw)
    if not cleaned.ok:
        raise ValidationError(cleaned.errors)
    kinds = set(version.subject_kinds)
    has_counterparty = bool(cleaned.values.get("counterparty_name"))
    if subject_person is not None and SubjectKind.CIVIL_SERVANT not in kinds:
        raise ValidationError({"subject": f"“{version.record_type.name}”不适用于公务员"})
    if subject_org is not None and SubjectKind.ORGANIZATION not in kinds:
        raise ValidationError({"subject": f"“{version.record_type.name}”不适用于单位"})
    if subject_org is None and subject_person is None and not has_counterparty:
        raise ValidationError({"subject": "请指定信用主体（单位、公务员或行政相对人）"})
    _check_submitter(version, issuing_org)
    record = CreditRecord(record_type=version.record_type, type_version=version, issuing_org=issuing_org,
                          subject_org=subject_org, subject_person=subject_person)
    _apply_values(record, version, cleaned.values)
    if record.counterparty_kind == CounterpartyKind.NATURAL and record.counterparty_code:
        label = next(f["label"] for f in version.fields if f.get("column") == "counterparty_code")
        raise ValidationError({label: "自然人不应填写统一社会信用代码"})
    check_dates(record)
    _set_severity(record, version)
    window = publicity_window(version, record.severity, record.decision_date)
    record.publicity_start = window.start
    if record.publicity_end is None:
        record.publicity_end = window.end
    return record


def _set_severity(record: CreditRecord, version: RecordTypeVersion) -> None:
    """A given severity is checked and wins; else the catalog's severity rules derive it (the record keeps
    which rule in ``data["severity_basis"]``), or, for a type without rules, its first severity applies."""
    basis = SEVERITY_GIVEN
    if record.severity:
        if version.severity(record.severity) is None:
            raise ValidationError({"严重程度": f"“{record.severity}”不是该类别的严重程度"})
    else:
        derived = derive_severity(version, record.data.get("penalty_kinds"), record.counterparty_kind, record.amount,
                                  record.result)
        if derived is None:
            record.severity = version.severities[0]["name"]
            return
        record.severity, basis = derived.severity, derived.basis
    if any(f["key"] == "severity_basis" for f in version.fields):
        record.data["severity_basis"] = basis


def check_dates(record: CreditRecord) -> None:
    today = clock.today()
    if record.decision_date > today:
        raise ValidationError({"decision_date": f"决定日期 {record.decision_date} 晚于今天"})
    if record.publicity_end and record.publicity_end < record.decision_date:
        raise ValidationError({"publicity_end": f"公示截止期 {record.publicity_end} 早于决定日期 {record.decision_date}"})


class DuplicateRecord(Conflict):
    """The archive already holds this decision about this counterparty (or subject)."""


class KeyReused(Conflict, ValueError):
    """An idempotency key sent again with a different request."""


def find_duplicate(record: CreditRecord) -> CreditRecord | None:
    """The record of the same type and decision number about the same party, matched as the intake matches
    rows to records (counterparty code, else counterparty name), and about the same subject."""
    same = CreditRecord.objects.filter(record_type=record.record_type, decision_number=record.decision_number,
                                       subject_org=record.subject_org, subject_person=record.subject_person)
    if record.counterparty_code:
        same = same.filter(counterparty_code=record.counterparty_code)
    else:
        same = same.filter(counterparty_code="", counterparty_name=record.counterparty_name)
    return same.order_by("pk").first()


@transaction.atomic
def record_decision(version: RecordTypeVersion, raw: dict[str, Any], *, issuing_org: Organization, actor: str,
                    subject_org: Organization | None = None, subject_person: CivilServant | None = None,
                    reason: str = "") -> CreditRecord:
    """Enter one record into the archive; an exact duplicate (see ``find_duplicate``) is refused.

    The record type's row is locked first, so two identical requests at once cannot both pass the check.
    """
    record = build_record(version, raw, issuing_org=issuing_org, subject_org=subject_org, subject_person=subject_person)
    list(RecordType.objects.select_for_update().filter(pk=version.record_type_id))
    earlier = find_duplicate(record)
    if earlier is not None:
        raise DuplicateRecord(f"已有相同的记录（编号 {earlier.pk}）：同一信息类别、决定文书号和行政相对人"
                              "（或主体）只能录入一次；如需修改请更正该记录", field="decision_number")
    save_with_entry(record, actor=actor, action="record.create", reason=reason or "录入")
    return record


def record_decision_once(version: RecordTypeVersion, raw: dict[str, Any], *, requester: User, key: str,
                         body_digest: str, **kwargs: Any) -> tuple[CreditRecord, bool]:
    """``record_decision`` behind an idempotency key: (record, created). The same key with the same request
    (``body_digest``) returns the first record; with another request it is refused (``KeyReused``)."""
    def earlier() -> CreditRecord | None:
        done = RecordRequest.objects.filter(user=requester, key=key).select_related("record").first()
        if done is not None and done.body_digest != body_digest:
            raise KeyReused("该幂等键（Idempotency-Key）已用于内容不同的另一次录入：请为新的录入使用新的键")
        return done.record if done is not None else None

    first = earlier()
    if first is not None:
        return first, False
    try:
        with transaction.atomic():
            record = record_decision(version, raw, **kwargs)
            RecordRequest.objects.create(user=requester, key=key, body_digest=body_digest, record=record)
    except IntegrityError:  # the same key at the same moment: the other request made the record
        first = earlier()
        if first is None:
            raise
        return first, False
    return record, True


def unmask_values(record: CreditRecord, raw: dict[str, Any]) -> dict[str, Any]:
    """Values as the API shows them (masked ID numbers, natural persons' masked names) mean "unchanged":
    the stored value is put back, so a record read from the API can be posted back as it is."""
    names = schema.header_map(record.type_version.fields)
    out = dict(raw)
    for name, value in raw.items():
        spec = names.get(name) or names.get(schema.clean_text(name, fold=True))
        if spec is None or not isinstance(value, str) or not value:
            continue
        column = spec.get("column")
        if column == "counterparty_id" and value == record.counterparty_id_masked:
            out[name] = crypto.decrypt(record.counterparty_id_cipher)
        elif (column == "counterparty_name" and record.counterparty_kind == CounterpartyKind.NATURAL
              and value == mask_name(record.counterparty_name)):
            out[name] = record.counterparty_name
        elif spec["type"] == "id_number" and not column:
            stored = record.data.get(spec["key"])
            if stored and value == mask_id_number(str(stored)):
                out[name] = stored
    return out


@transaction.atomic
def correct_record(record: CreditRecord, raw: dict[str, Any], *, actor: str, reason: str) -> CreditRecord:
    """Correct a record's field values (the record keeps its id, the ledger keeps the old state)."""
    raw = unmask_values(record, raw)
    if not reason.strip():
        raise ValidationError({"reason": "更正必须填写理由"})
    if record.status in (RecordStatus.REVOKED, RecordStatus.REPAIRED):
        raise ValidationError({"status": f"记录已{record.status}，不能更正"})
    fresh = build_record(record.type_version, raw, issuing_org=record.issuing_org, subject_org=record.subject_org,
                         subject_person=record.subject_person)
    for f in CreditRecord._meta.concrete_fields:
        if f.attname not in {"id", "status", "created_at", "batch_id"}:
            setattr(record, f.attname, getattr(fresh, f.attname))
    save_with_entry(record, actor=actor, action="record.correct", reason=reason)
    return record


@transaction.atomic
def change_status(record: CreditRecord, status: str, *, actor: str, reason: str) -> CreditRecord:
    """Move a record to another status, e.g. 异议中 on receipt of an objection, 已撤销 on revocation."""
    if not reason.strip():
        raise ValidationError({"reason": "状态变更必须填写理由"})
    locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if status not in TRANSITIONS.get(locked.status, set()):
        raise ValidationError({"status": f"记录状态不能从“{locked.status}”变为“{status}”"})
    locked.status = status
    save_with_entry(locked, actor=actor, action="record.status", reason=reason)
    record.refresh_from_db()
    return record


def expire_publicity(today: dt.date | None = None, *, chunk: int = 2000) -> int:
    """Daily job: records whose publicity window has ended become 公示期满 (they stay in the archive).

    Rows are claimed under ``select_for_update(skip_locked=True)`` so several workers may run it at
    once without doing the same row twice; running it twice changes nothing the second time.
    """
    today = today or clock.today()
    total = 0
    failures: list[RowFailure] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(CreditRecord.objects.select_for_update(skip_locked=True)
                       .filter(status=RecordStatus.VALID, publicity_end__lt=today, pk__gt=last_pk)
                       .order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                return total
            last_pk = ids[-1]
            # A record whose stored values cannot be read is reported and left; the others expire.
            rows = read_rows("公示期届满处理", CreditRecord.objects.all(), ids, failures)
            if not rows:
                continue
            now = clock.now()
            for r in rows:
                r.status, r.updated_at = RecordStatus.EXPIRED, now
            update_with_entries(CreditRecord, rows, ["status", "updated_at"], actor="system", action="record.expire",
                                reason=f"公示期于 {rows[0].publicity_end} 前届满")
            total += len(rows)
