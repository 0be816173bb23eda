"""One decision's fact: its completeness (re-validated against its catalog version), whether it had to be
published, and its working days to publication (definitions: :mod:`govcredit.statistics.services`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.catalog import schema
from govcredit.catalog.models import RecordTypeVersion
from govcredit.core import clock
from govcredit.disclosure.rules import refusal
from govcredit.workdays import services as workdays

from .models import DecisionFact

DEFAULT_LIMIT = 7
_ONE_DAY = dt.timedelta(days=1)


def raw_values(record: CreditRecord, version: RecordTypeVersion) -> dict[str, Any]:
    """The record's values as stored, keyed by field key, ready for ``schema.validate``.

    Columns come from the record, the rest from ``data``; lists (多选) are joined with “、”. The ID-number
    column is left out: it is encrypted and never decrypted here (see :func:`check_completeness`).
    """
    raw: dict[str, Any] = {}
    for spec in version.fields:
        column = spec.get("column")
        if column == "counterparty_id":
            continue
        value = getattr(record, column, None) if column else record.data.get(spec["key"])
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        raw[spec["key"]] = value
    return raw


def check_completeness(record: CreditRecord, version: RecordTypeVersion) -> dict[str, str]:
    """Problems by field label; empty when the decision's data are complete and valid."""
    fields = [s for s in version.fields if s.get("column") != "counterparty_id"]
    problems = dict(schema.validate(fields, raw_values(record, version)).errors)
    for spec in version.fields:
        if spec.get("column") == "counterparty_id" and spec.get("required") and not record.counterparty_id_index:
            problems[spec["label"]] = "必填项为空"
    return problems


def limit_of(version: RecordTypeVersion) -> int:
    try:
        return int((version.publication or {}).get("publish_within_workdays") or DEFAULT_LIMIT)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT


class WorkdayCache:
    """Per-run memo of the calendar questions a refresh asks (there are far fewer dates than decisions)."""

    def __init__(self) -> None:
        self._between: dict[tuple[dt.date, dt.date], workdays.WorkdayCount] = {}
        self._last_day: dict[tuple[dt.date, int], tuple[dt.date, bool]] = {}

    def between(self, start: dt.date, end: dt.date) -> workdays.WorkdayCount:
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = workdays.workdays_between(start, end)
        return found

    def last_on_time_day(self, decision: dt.date, limit: int) -> tuple[dt.date, bool]:
        """The last calendar day D with ``workdays_between(decision, D) <= limit`` (and whether estimated)."""
        key = (decision, limit)
        found = self._last_day.get(key)
        if found is None:
            following = workdays.add_workdays(decision, limit + 1)
            found = self._last_day[key] = (following.date - _ONE_DAY, following.estimated)
        return found


def make_fact(record: CreditRecord, version: RecordTypeVersion, published_at: dt.datetime | None,
              cache: WorkdayCache, known_problems: dict[str, str] | None = None) -> DecisionFact:
    """The fact of one decision; ``known_problems`` (from a fact of the same record version) skips re-validation."""
    limit = limit_of(version)
    record.type_version = version
    problems = check_completeness(record, version) if known_problems is None else known_problems
    why = refusal(record)
    if why is None and record.status == RecordStatus.REVOKED and published_at is None:
        why = "决定在公示前已撤销"
    last_day, estimated = cache.last_on_time_day(record.decision_date, limit)
    published_on = clock.local_date(published_at) if published_at is not None else None
    count: int | None = None
    if published_on is not None:
        result = cache.between(record.decision_date, published_on)
        count, estimated = result.days, estimated or result.estimated
    return DecisionFact(
        record_id=record.pk, issuing_org_id=record.issuing_org_id, record_type_id=record.record_type_id,
        decision_date=record.decision_date, month=record.decision_date.replace(day=1), limit_workdays=limit,
        last_on_time_day=last_day, published_on=published_on, workdays=count, estimated=estimated,
        due=why is None, not_due_reason=(why or "")[:200], complete=not problems, problems=problems,
        record_updated_at=record.updated_at, computed_at=clock.now(),
    )
