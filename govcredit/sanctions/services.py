"""Triggering and ending measures (联合奖惩的启动与终止).

When a dishonesty record about a government subject takes effect, the rules in force that day decide
its punishments; a trustworthy record (表彰奖励, 诚信模范) its rewards. Each measure starts with start
and end dates (from the record's decision date for the measure's duration) and a ledger entry. Later
the record's status drives them: 异议中 suspends the record's measures until the objection is decided
(有效 resumes them, 已撤销 ends them), 已撤销 and 已修复 end them with the reason, and a fault-tolerance
finding waives or lightens them (:mod:`.workflow`). The daily job :func:`expire_measures` ends those
whose time is up.

Records reach us through ``post_save`` (one record saved by ``archive.services``) and through
:func:`records_created` (the intake's bulk writes, which send no signal): both call
:func:`apply_rules`, which reads what it needs for a whole batch in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import add_months
from govcredit.catalog.models import Polarity as RecordPolarity
from govcredit.catalog.models import SubjectKind
from govcredit.core import clock
from govcredit.core.jobs import RowFailure, read_rows
from govcredit.ledger.services import create_with_entries, update_with_entries
from govcredit.subjects.models import CivilServant, Organization
from govcredit.workflow import services as workflow

from .models import AppliedMeasure, EndReason, MeasureStatus, MeasureVersion, Polarity, RuleVersion
from .workflow import (  # workflow needs services only inside a function
    DEPARTMENT as NOTIFIED,
)
from .workflow import (
    open_rectifications,
    stop_rectifications,
)

SYSTEM = "system"
OPEN_STATUSES = (MeasureStatus.IN_FORCE, MeasureStatus.SUSPENDED)
# Which measures a record's polarity triggers.
POLARITY_OF = {RecordPolarity.DISHONEST.value: Polarity.PUNISHMENT.value,
               RecordPolarity.TRUSTWORTHY.value: Polarity.REWARD.value}


def subject_kind(record: CreditRecord) -> str | None:
    if record.subject_person_id:
        return SubjectKind.CIVIL_SERVANT.value
    if record.subject_org_id:
        return SubjectKind.ORGANIZATION.value
    return None


def _subject_key(record: CreditRecord) -> tuple[int | None, int | None]:
    """A civil servant's records are its own, whatever organisation they also name."""
    return (None, record.subject_person_id) if record.subject_person_id else (record.subject_org_id, None)


def _rules_in_force() -> list[RuleVersion]:
    """The newest version of each rule, where it is active (one query)."""
    newest: dict[int, RuleVersion] = {}
    for version in RuleVersion.objects.select_related("rule").order_by("rule_id", "version"):
        newest[version.rule_id] = version
    return [v for v in newest.values() if v.is_active]


def _measures_in_force() -> dict[str, MeasureVersion]:
    """The newest version of each measure by code, where it is active (one query)."""
    newest: dict[str, MeasureVersion] = {}
    for version in MeasureVersion.objects.select_related("measure_type").order_by("measure_type_id", "version"):
        newest[version.measure_type.code] = version
    return {code: v for code, v in newest.items() if v.is_active}


def _history(records: list[CreditRecord], years: int) -> dict[tuple[int | None, int | None], list[tuple[str, str, dt.date]]]:
    """For each subject of ``records``: (type code, severity, decision date) of its records in force within
    the longest counting window (one query for the batch)."""
    orgs = {r.subject_org_id for r in records if r.subject_org_id}
    people = {r.subject_person_id for r in records if r.subject_person_id}
    earliest = add_months(min(r.decision_date for r in records), -12 * years)
    rows = (CreditRecord.objects.filter(Q(subject_org_id__in=orgs) | Q(subject_person_id__in=people),
                                        decision_date__gte=earliest)
            .exclude(status=RecordStatus.REVOKED)
            .values_list("subject_org_id", "subject_person_id", "record_type__code", "severity", "decision_date"))
    out: dict[tuple[int | None, int | None], list[tuple[str, str, dt.date]]] = defaultdict(list)
    for org, person, code, severity, day in rows:
        out[(org if not person else None, person)].append((code, severity, day))
    return out


def _matches(rule: RuleVersion, code: str, severity: str, kind: str) -> bool:
    return code in rule.record_types and (not rule.severities or severity in rule.severities) \
        and kind in rule.subject_kinds


def _count(rule: RuleVersion, history: list[tuple[str, str, dt.date]], kind: str, decided: dt.date) -> int:
    since = add_months(decided, -12 * rule.within_years)
    return sum(1 for code, severity, day in history if since < day <= decided and _matches(rule, code, severity, kind))


def apply_rules(records: Iterable[CreditRecord], *, actor: str = SYSTEM) -> list[AppliedMeasure]:
    """Start the measures the rules in force give each record that has none yet (idempotent).

    Only records about a government subject, in force (有效), of a dishonest or trustworthy type count.
    A measure whose time is already over when its record arrives (an old decision entered late) is
    recorded as ended (期满), so the archive and past eligibility checks still show it.
    """
    wanted = [r for r in records if r.status == RecordStatus.VALID and subject_kind(r) is not None]
    if not wanted:
        return []
    types = {pk: (code, polarity) for pk, code, polarity in CreditRecord.objects.filter(pk__in=[r.pk for r in wanted])
             .values_list("pk", "record_type__code", "type_version__polarity")}
    wanted = [r for r in wanted if types[r.pk][1] in POLARITY_OF]
    if not wanted:
        return []
    rules = _rules_in_force()
    measures = _measures_in_force()
    if not rules or not measures:
        return []
    done = set(AppliedMeasure.objects.filter(record__in=[r.pk for r in wanted]).values_list("record_id", flat=True))
    wanted = [r for r in wanted if r.pk not in done]
    if not wanted:
        return []
    history = _history(wanted, max(rule.within_years for rule in rules))
    today, now = clock.today(), clock.now()
    new: list[AppliedMeasure] = []
    for record in wanted:
        code, polarity = types[record.pk]
        kind = subject_kind(record)
        assert kind is not None
        started: set[str] = set()
        for rule in rules:
            if not _matches(rule, code, record.severity, kind):
                continue
            if rule.min_count > 1 and _count(rule, history[_subject_key(record)], kind, record.decision_date) < rule.min_count:
                continue
            for measure_code in rule.measures:
                version = measures.get(measure_code)
                if (version is None or measure_code in started or kind not in version.subject_kinds
                        or version.measure_type.polarity != POLARITY_OF[polarity]):
                    continue
                started.add(measure_code)
                end = add_months(record.decision_date, version.duration_months)
                over = end <= today
                new.append(AppliedMeasure(
                    record=record, measure_version=version, rule_version=rule, polarity=version.measure_type.polarity,
                    subject_org_id=record.subject_org_id if not record.subject_person_id else None,
                    subject_person_id=record.subject_person_id, start_on=record.decision_date, end_on=end,
                    status=MeasureStatus.ENDED if over else MeasureStatus.IN_FORCE, ended_on=end if over else None,
                    end_reason=EndReason.EXPIRED if over else "", created_at=now, updated_at=now))
    if not new:
        return []
    with transaction.atomic():
        created = create_with_entries(AppliedMeasure, new, actor=actor, action="sanctions.measure.start",
                                      reason="信用记录生效，按奖惩规则启动措施")
        started_now = [m for m in created if m.status == MeasureStatus.IN_FORCE]
        open_rectifications(started_now)
        notify_started(started_now)
    return created


def notify_started(measures: list[AppliedMeasure]) -> int:
    """Tell the subject's users and its departments' users (the subject's organisation or the person's
    employer, and those above it) that a measure started, in their inbox and by e-mail; a fixed number of
    queries for a whole batch. Returns the number of notifications."""
    if not measures:
        return 0
    orgs = Organization.objects.in_bulk({m.subject_org_id for m in measures if m.subject_org_id})
    people = CivilServant.objects.select_related("employer").in_bulk(
        {m.subject_person_id for m in measures if m.subject_person_id})
    records = CreditRecord.objects.select_related("record_type").in_bulk({m.record_id for m in measures})
    subjects = {(orgs.get(m.subject_org_id or 0), people.get(m.subject_person_id or 0)) for m in measures}
    users = workflow.subject_recipients(list(subjects), set(NOTIFIED))
    names = {v.pk: v.measure_type.name for v in MeasureVersion.objects.select_related("measure_type").filter(
        pk__in={m.measure_version_id for m in measures})}
    messages = []
    for m in measures:
        record = records[m.record_id]
        label = "惩戒措施" if m.polarity == Polarity.PUNISHMENT else "激励措施"
        text = (f"{label}“{names[m.measure_version_id]}”已启动（{record.record_type.name} {record.decision_number}），"
                f"{m.start_on:%Y-%m-%d} 至 {m.end_on:%Y-%m-%d}")
        messages.append(workflow.Message(users.get((m.subject_org_id, m.subject_person_id), []), text,
                                         link=_measure_link(m.pk)))
    return workflow.notify_many(messages)


def _measure_link(pk: int) -> str:
    """The measure's page, or none where the staff pages are not mounted (a portal-only process)."""
    try:
        return reverse("sanctions:measure_detail", args=[pk])
    except NoReverseMatch:
        return ""


def records_created(record_ids: list[int]) -> list[AppliedMeasure]:
    """The intake's hook for records it wrote in bulk (no ``post_save``): one query loads those about a
    government subject, and :func:`apply_rules` handles them together."""
    if not record_ids:
        return []
    records = list(CreditRecord.objects.filter(Q(subject_org__isnull=False) | Q(subject_person__isnull=False),
                                               pk__in=record_ids).select_related("record_type", "type_version"))
    return apply_rules(records)


def _end(measures: list[AppliedMeasure], reason: str, note: str, *, actor: str, on: dt.date | None = None) -> int:
    if not measures:
        return 0
    today, now = clock.today(), clock.now()
    for m in measures:
        m.status, m.ended_on, m.end_reason, m.note, m.updated_at = MeasureStatus.ENDED, on or today, reason, note, now
    update_with_entries(AppliedMeasure, measures, ["status", "ended_on", "end_reason", "note", "updated_at"],
                        actor=actor, action="sanctions.measure.end", reason=f"{reason}：{note}")
    stop_rectifications(measures, f"措施已结束（{reason}）")
    return len(measures)


def _set_status(measures: list[AppliedMeasure], status: str, action: str, reason: str, actor: str) -> int:
    if not measures:
        return 0
    now = clock.now()
    for m in measures:
        m.status, m.updated_at = status, now
    update_with_entries(AppliedMeasure, measures, ["status", "updated_at"], actor=actor, action=action, reason=reason)
    return len(measures)


@transaction.atomic
def follow_record_status(record: CreditRecord, *, actor: str = SYSTEM) -> int:
    """Bring a record's measures in line with its status; returns how many changed (idempotent)."""
    measures = list(AppliedMeasure.objects.select_for_update().filter(record=record, status__in=OPEN_STATUSES))
    if record.status == RecordStatus.OBJECTION:
        return _set_status([m for m in measures if m.status == MeasureStatus.IN_FORCE], MeasureStatus.SUSPENDED,
                           "sanctions.measure.suspend", "记录异议中，措施暂停执行至异议处理完毕", actor)
    if record.status == RecordStatus.REVOKED:
        return _end(measures, EndReason.REVOKED, "信用记录已撤销", actor=actor)
    if record.status == RecordStatus.REPAIRED:
        return _end(measures, EndReason.REPAIRED, "信用记录已修复", actor=actor)
    if record.status in (RecordStatus.VALID, RecordStatus.EXPIRED):
        suspended = [m for m in measures if m.status == MeasureStatus.SUSPENDED]
        today = clock.today()
        expired = [m for m in suspended if m.end_on <= today]
        changed = _set_status([m for m in suspended if m.end_on > today], MeasureStatus.IN_FORCE,
                              "sanctions.measure.resume", "异议处理完毕，记录维持，措施恢复执行", actor)
        return changed + _end(expired, EndReason.EXPIRED, "异议处理期间措施期限已届满", actor=actor,
                              on=min(m.end_on for m in expired) if expired else None)
    return 0


def record_saved(sender: type[CreditRecord], instance: CreditRecord, created: bool, **kwargs: Any) -> None:
    """``post_save`` of a record (inside the transaction that saved it): a new record in force starts its
    measures; a changed status moves them. Records about no government subject (双公示 decisions) are
    passed over without a query."""
    if subject_kind(instance) is None:
        return
    if created:
        apply_rules([instance])
    else:
        follow_record_status(instance)


def end_measures(measures: list[AppliedMeasure], reason: str, note: str, *, actor: str) -> int:
    """End open measures now (a fault-tolerance waiver): for :mod:`.workflow`."""
    return _end([m for m in measures if m.status in OPEN_STATUSES], reason, note, actor=actor)


def lighten_measures(measures: list[AppliedMeasure], end_on: dt.date, note: str, *, actor: str) -> int:
    """Bring the end of open measures forward to ``end_on`` (a fault-tolerance lightening); a measure
    whose new end is today or past ends now."""
    today, now = clock.today(), clock.now()
    changed = [m for m in measures if m.status in OPEN_STATUSES and end_on < m.end_on]
    ending = [m for m in changed if end_on <= today]
    shortened = [m for m in changed if end_on > today]
    for m in shortened:
        m.end_on, m.note, m.updated_at = end_on, note, now
    if shortened:
        update_with_entries(AppliedMeasure, shortened, ["end_on", "note", "updated_at"], actor=actor,
                            action="sanctions.measure.lighten", reason=f"{EndReason.LIGHTENED}：{note}")
    return len(shortened) + _end(ending, EndReason.LIGHTENED, note, actor=actor)


def expire_measures(today: dt.date | None = None, *, chunk: int = 1000) -> int:
    """Daily job: measures in force whose end date has come end (期满); idempotent, claims rows in chunks."""
    today = today or clock.today()
    total = 0
    failures: list[RowFailure] = []
    last_pk = 0
    while True:
        with transaction.atomic():
            qs = AppliedMeasure.objects.filter(status=MeasureStatus.IN_FORCE, end_on__lte=today, pk__gt=last_pk)
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True)
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                return total
            last_pk = ids[-1]
            rows = [m for m in read_rows("奖惩措施期满处理", AppliedMeasure.objects.all(), ids, failures)
                    if m.status == MeasureStatus.IN_FORCE]
            by_day: dict[dt.date, list[AppliedMeasure]] = defaultdict(list)
            for m in rows:
                by_day[m.end_on].append(m)
            for day, group in by_day.items():
                total += _end(group, EndReason.EXPIRED, f"措施期限于 {day} 届满", actor=SYSTEM, on=day)
