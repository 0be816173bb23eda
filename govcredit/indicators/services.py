"""Indicators and warnings: entering and importing values, computing the registered ones, publishing rule
versions and evaluating warnings. Every write is ledgered; a changed value is a new version.

The computation is set-based: each registered computation answers for every subject and month in one or a
few aggregate queries; values are compared with the current versions in memory and only the changed ones are
written (bulk, one ledger entry each). Evaluation reads the current values of the ruled indicators in one
query, assesses them in Python (:func:`levels.assess`, pure), rebuilds the derived ``Assessment`` rows in
bulk, and opens, updates or closes the warnings (a handful per subject at most).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from govcredit.accounts.models import Role, User
from govcredit.core import clock
from govcredit.core.errors import DomainError
from govcredit.ledger.services import create_with_entries, save_with_entry, update_with_entries
from govcredit.subjects.models import Organization
from govcredit.workflow import services as workflow

from . import levels, registry, writing
from .models import (
    NO_VALUE,
    Assessment,
    Direction,
    Indicator,
    IndicatorValue,
    IndicatorWarning,
    Level,
    Origin,
    Source,
    WarningRule,
    WarningRuleVersion,
    WarningStatus,
)
from .workflow import CLEARED, KIND

DEFAULTS = Path(__file__).parent / "data" / "indicators.json"
SYSTEM = "system"
COMPUTE_ACTOR = "指标计算"
LEVEL_NAMES = {int(level): str(level.label) for level in Level}


class IndicatorError(DomainError):
    pass


# --- definitions and rules -------------------------------------------------------------------------

def _dec(text: str | None) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def load_defaults(actor: str = SYSTEM) -> int:
    """Create the indicators and rules of ``data/indicators.json`` that do not exist yet (idempotent)."""
    data = json.loads(DEFAULTS.read_text(encoding="utf-8"))
    created = 0
    existing = set(Indicator.objects.values_list("code", flat=True))
    with transaction.atomic():
        for item in data["indicators"]:
            if item["code"] in existing:
                continue
            save_with_entry(Indicator(code=item["code"], name=item["name"], unit=item["unit"], origin=item["origin"],
                                      group=item["group"], description=item["description"], public=item["public"],
                                      order=item["order"]), actor=actor, action="indicators.define")
            created += 1
        ruled = set(WarningRule.objects.values_list("indicator__code", flat=True))
        for rule in data["rules"]:
            if rule["indicator"] in ruled:
                continue
            publish_rule_version(Indicator.objects.get(code=rule["indicator"]), direction=rule["direction"],
                                 yellow=_dec(rule.get("yellow")), orange=_dec(rule.get("orange")),
                                 red=_dec(rule.get("red")), watch_line=_dec(rule.get("watch")),
                                 source_document=rule["source"], secondary_source=rule["secondary"], actor=actor)
            created += 1
    return created


def publish_rule_version(indicator: Indicator, *, direction: str, yellow: Decimal | None, orange: Decimal | None,
                         red: Decimal | None, source_document: str, actor: User | str,
                         watch_line: Decimal | None = None, secondary_source: bool = False) -> WarningRuleVersion:
    """Publish version n+1 of the indicator's rule (versions are never changed): warnings keep the version
    that assessed them, so a new version applies from the next evaluation."""
    if direction not in Direction.values:
        raise IndicatorError(_("预警方向无效"), field="direction")
    if not source_document.strip():
        raise IndicatorError(_("必须注明依据文件"), field="source_document")
    lines = [x for x in (yellow, orange, red) if x is not None]
    if not lines:
        raise IndicatorError(_("至少填写一条预警线"), field="yellow")
    ordered = sorted(lines) if direction == Direction.UP else sorted(lines, reverse=True)
    if lines != ordered or len(set(lines)) != len(lines):
        raise IndicatorError(_("预警线须按黄、橙、红依次递进（越高越差时递增，越低越差时递减）"), field="orange")
    now = clock.now()
    with transaction.atomic():
        rule = WarningRule.objects.filter(indicator=indicator).first()
        if rule is None:
            rule = WarningRule(indicator=indicator, created_at=now)
            save_with_entry(rule, actor=actor, action="indicators.rule.create", reason=indicator.name)
        last = WarningRuleVersion.objects.filter(rule=rule).order_by("-version").values_list("version", flat=True).first() or 0
        name = actor if isinstance(actor, str) else actor.get_username()
        version = WarningRuleVersion(rule=rule, version=last + 1, direction=direction, yellow=yellow, orange=orange,
                                     red=red, watch_line=watch_line, source_document=source_document.strip(),
                                     secondary_source=secondary_source, published_by=name, published_at=now)
        save_with_entry(version, actor=actor, action="indicators.rule.publish",
                        reason=f"{indicator.name} 第{version.version}版")
    return version


def current_rule_versions() -> dict[int, WarningRuleVersion]:
    """indicator id → the newest rule version."""
    out: dict[int, WarningRuleVersion] = {}
    for v in WarningRuleVersion.objects.select_related("rule").order_by("rule_id", "version"):
        out[v.rule.indicator_id] = v
    return out


# --- values ----------------------------------------------------------------------------------------

def _check_subject(subject: Organization) -> None:
    if subject.depth != 1:
        raise IndicatorError(_("指标主体须为区或市级部门"), field="subject")


def _new_version(current: IndicatorValue | None, **values: Any) -> IndicatorValue:
    return IndicatorValue(version=(current.version + 1) if current else 1, is_current=True, created_at=clock.now(),
                          **values)


def _same(current: IndicatorValue, value: Decimal | None, reason: str) -> bool:
    return current.value == value and current.no_value_reason == reason


@transaction.atomic
def record_value(indicator: Indicator, subject: Organization, period: dt.date, value: Decimal | None, *,
                 actor: User, source: str = Source.FORM, note: str = "",
                 source_detail: dict[str, Any] | None = None) -> IndicatorValue | None:
    """Enter one value (form or file row). A different value for a period that has one is a correction: a
    new version with its reason, the old version kept. The same value again writes nothing (None)."""
    if indicator.origin != Origin.ENTERED:
        raise IndicatorError(_("该指标由系统计算，不能填报"), field="indicator")
    _check_subject(subject)
    if period.day != 1:
        period = period.replace(day=1)
    if period > clock.today():
        raise IndicatorError(_("不能填报未来期间的数值"), field="period")
    if value is not None and value < 0:
        raise IndicatorError(_("数值不能为负数"), field="value")
    current = IndicatorValue.objects.select_for_update().filter(indicator=indicator, subject=subject, period=period,
                                                                is_current=True).first()
    if current is not None and _same(current, value, ""):
        return None
    if current is not None and not note.strip():
        raise IndicatorError(_("该期间已有数值，更正须填写理由"), field="note")
    if current is not None:
        current.is_current = False
        update_with_entries(IndicatorValue, [current], ["is_current"], actor=actor, action="indicators.value.supersede",
                            reason=note)
    new = _new_version(current, indicator=indicator, subject=subject, period=period, value=value, source=source,
                       source_detail=source_detail or {}, entered_by=actor, entered_by_name=actor.get_username(),
                       note=note.strip())
    save_with_entry(new, actor=actor, action="indicators.value.correct" if current else "indicators.value.enter",
                    reason=note)
    return new


IMPORT_COLUMNS = ("指标代码", "主体统一社会信用代码", "期间", "数值", "说明")


@dataclass
class ImportResult:
    saved: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _period(text: Any) -> dt.date:
    if isinstance(text, dt.datetime):
        return text.date().replace(day=1)
    if isinstance(text, dt.date):
        return text.replace(day=1)
    s = str(text or "").strip().replace("/", "-").replace("年", "-").replace("月", "")
    parts = s.split("-")
    if len(parts) < 2:
        raise ValueError(s)
    return dt.date(int(parts[0]), int(parts[1]), 1)


def import_values(data: bytes, name: str, *, actor: User, may_enter: Any) -> ImportResult:
    """Import an XLSX of values (columns :data:`IMPORT_COLUMNS`, header in the first row). Each row is saved
    or refused on its own, with the row number and the reason; ``may_enter(org)`` is the caller's scope."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the same refusal
        raise IndicatorError(_("无法读取文件，请上传 XLSX 格式的表格"), field="file") from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [c for c in IMPORT_COLUMNS[:4] if c not in header]
    if missing:
        raise IndicatorError(_("缺少列：%(cols)s") % {"cols": "、".join(missing)}, field="file")
    at = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    indicators = {i.code: i for i in Indicator.objects.all()}
    orgs = {o.credit_code: o for o in Organization.objects.filter(depth=1)}
    result = ImportResult()
    for number, row in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in row):
            continue

        def cell(col: str, row: tuple[Any, ...] = row) -> Any:
            return row[at[col]] if col in at and at[col] < len(row) else None

        code = str(cell("指标代码") or "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            result.errors.append((number, _("指标代码“%(code)s”不存在") % {"code": code}))
            continue
        org = orgs.get(str(cell("主体统一社会信用代码") or "").strip())
        if org is None or not may_enter(org):
            result.errors.append((number, _("主体不存在或不在您的填报范围内")))
            continue
        try:
            period = _period(cell("期间"))
        except (ValueError, TypeError):
            result.errors.append((number, _("期间格式应为 YYYY-MM")))
            continue
        raw = cell("数值")
        try:
            value = None if raw in (None, "") else Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            result.errors.append((number, _("数值“%(v)s”不是数字") % {"v": raw}))
            continue
        try:
            with transaction.atomic():
                saved = record_value(indicator, org, period, value, actor=actor, source=Source.FILE,
                                     note=str(cell("说明") or ""), source_detail={"file": name, "row": number})
        except DomainError as exc:
            result.errors.append((number, str(exc)))
            continue
        if saved is None:
            result.unchanged += 1
        else:
            result.saved += 1
    return result


# --- computation -----------------------------------------------------------------------------------

@dataclass
class ComputeResult:
    written: int = 0
    unchanged: int = 0
    by_indicator: dict[str, int] = field(default_factory=dict)


def _to_value(kind: str, num: Decimal | int | None, den: Decimal | int | None) -> levels.Ratio:
    if kind == "ratio":
        return levels.ratio(num, den)
    if kind == "per100":
        return levels.ratio(num, den, per=100)
    return levels.Ratio(None if num is None else Decimal(num).quantize(levels.PLACES),
                        "" if num is not None else "无数据")


def _d(x: Decimal | int | None) -> Decimal | None:
    return None if x is None else Decimal(x)


def compute(months: Sequence[dt.date], codes: Iterable[str] | None = None, *, subjects: registry.Subjects | None = None,
            order_first: Sequence[str] = ()) -> ComputeResult:
    """Run the registered computations for ``months`` (first days) and write what changed."""
    months = sorted({registry.month_start(m) for m in months})
    subjects = subjects or registry.load_subjects()
    wanted = set(codes) if codes is not None else None
    comps = [c for c in registry.computations() if wanted is None or c.indicator in wanted]
    # computations that read other indicators' values (the debt ratios read entered values) go last
    comps.sort(key=lambda c: (c.indicator not in order_first, c.kind == "derived"))
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=[c.indicator for c in comps])}
    result = ComputeResult()
    for comp in comps:
        indicator = indicators.get(comp.indicator)
        if indicator is None:
            continue
        rows = list(comp.compute(list(months), subjects))
        written = _write_computed(indicator, comp, rows, months)
        result.written += written
        result.by_indicator[comp.indicator] = written
    return result


VALUE_COLUMNS = ["indicator_id", "subject_id", "period", "version", "is_current", "value", "numerator", "denominator",
                 "no_value_reason", "source", "source_detail", "entered_by_id", "entered_by_name", "note", "created_at"]


def _write_computed(indicator: Indicator, comp: registry.Computation, rows: list[registry.Row],
                    months: Sequence[dt.date]) -> int:
    """Compare the computed rows with the current versions (tuples, no model per value) and write only the
    changed ones: new versions in one bulk insert with one ledger entry each (``writing.create_ledgered``),
    the versions they replace marked not current (``ledger.services.update_with_entries``)."""
    current = {(sid, period): (pk, version, value, reason) for pk, sid, period, version, value, reason in
               IndicatorValue.objects.filter(indicator=indicator, period__in=list(months), is_current=True)
               .values_list("pk", "subject_id", "period", "version", "value", "no_value_reason")}
    now = clock.now()
    new: list[tuple[Any, ...]] = []
    superseded: list[int] = []
    kind = "ratio" if comp.kind == "derived" else comp.kind
    for subject_id, month, num, den, inputs in rows:
        r = _to_value(kind, num, den)
        cur = current.get((subject_id, month))
        if cur is not None and cur[2] == r.value and cur[3] == r.reason:
            continue  # unchanged: no new version
        if cur is not None:
            superseded.append(cur[0])
        new.append((indicator.pk, subject_id, month, (cur[1] + 1) if cur else 1, True, r.value,
                    writing.places(num, levels.PLACES), writing.places(den, levels.PLACES), r.reason,
                    Source.COMPUTATION, {"computation": comp.label, "inputs": inputs}, None, COMPUTE_ACTOR, "", now))
    with transaction.atomic():
        for i in range(0, len(superseded), UPDATE_CHUNK):
            old = list(IndicatorValue.objects.filter(pk__in=superseded[i:i + UPDATE_CHUNK]).select_for_update())
            for v in old:
                v.is_current = False
            update_with_entries(IndicatorValue, old, ["is_current"], actor=COMPUTE_ACTOR,
                                action="indicators.value.supersede", reason=comp.label)
        writing.create_ledgered(IndicatorValue, VALUE_COLUMNS, new, actor=COMPUTE_ACTOR,
                                action="indicators.value.compute", reason=comp.label)
    return len(new)


# --- evaluation ------------------------------------------------------------------------------------

@dataclass
class EvaluateResult:
    assessed: int = 0
    opened: int = 0
    updated: int = 0
    closed: int = 0
    escalated: int = 0


def explain(indicator: Indicator, version: WarningRuleVersion, value: IndicatorValue | Any, crossing: levels.Crossing,
            since: dt.date) -> dict[str, Any]:
    """What a warning says about itself (stored Chinese data, shown as it is)."""
    return {
        "indicator": indicator.name, "unit": indicator.unit, "period": f"{value.period:%Y-%m}",
        "value": None if value.value is None else str(value.value),
        "level": crossing.level, "level_name": LEVEL_NAMES[crossing.level],
        "line": None if crossing.line is None else str(crossing.line),
        "direction": version.direction, "since": f"{since:%Y-%m}", "rule_version": version.version,
        "source_document": version.source_document, "secondary_source": version.secondary_source,
        "inputs": value.source_detail,
    }


@dataclass(slots=True)
class ValueRow:
    """A current value as the evaluation reads it (a tuple per value, not a model): its source is read only
    for the values a written warning explains (:func:`_explain_now`)."""

    pk: int
    indicator_id: int
    subject_id: int
    period: dt.date
    value: Decimal | None
    source_detail: dict[str, Any] | None = None


Explained = tuple[Indicator, WarningRuleVersion, ValueRow, levels.Crossing, dt.date]
Later = dict[int, Explained]


def evaluate(months: Sequence[dt.date], *, subjects: Iterable[int] | None = None) -> EvaluateResult:
    """Assess the current values of ``months`` under the newest rule versions, bring their assessments up to
    date (only the changed ones written) and move the warnings (months in order, so a series goes green → red
    → green as its values do). Only the series with a value beyond a line or an open warning are walked: a
    series green all along, with no warning, has nothing to open or close."""
    months = sorted({registry.month_start(m) for m in months})
    result = EvaluateResult()
    versions = current_rule_versions()
    indicators = {i.pk: i for i in Indicator.objects.all()}
    qs = IndicatorValue.objects.filter(is_current=True, period__in=months)
    only = None if subjects is None else list(subjects)
    if only is not None:
        qs = qs.filter(subject_id__in=only)
    wanted: dict[tuple[int, int, dt.date], tuple[int, Decimal | None, int | None, int]] = {}
    series: dict[tuple[int, int], list[tuple[ValueRow, levels.Crossing]]] = defaultdict(list)
    beyond: set[tuple[int, int]] = set()
    for pk, iid, sid, period, number in qs.order_by("period", "pk").values_list(
            "pk", "indicator_id", "subject_id", "period", "value"):
        version = versions.get(iid)
        crossing = levels.assess(number, version) if version is not None else None
        level = NO_VALUE if number is None else (crossing.level if crossing is not None else int(Level.GREEN))
        wanted[(sid, iid, period)] = (pk, number, version.pk if version is not None else None, level)
        if crossing is not None:
            series[(sid, iid)].append((ValueRow(pk, iid, sid, period, number), crossing))
            if crossing.level > Level.GREEN:
                beyond.add((sid, iid))
    _write_assessments(wanted, months, only)
    result.assessed = len(wanted)
    open_warnings = {(w.subject_id, w.indicator_id): w for w in IndicatorWarning.objects.filter(
        status=WarningStatus.OPEN).select_related("case__debtor_org", "case__debtor_person__employer")}
    series = {key: items for key, items in series.items() if key in beyond or key in open_warnings}
    subjects_by_id = {o.pk: o for o in Organization.objects.filter(pk__in={s for s, _i in series})}
    later: Later = {}
    # months up to the end of an episode already closed are history: evaluating them again opens nothing
    closed_until = {(s, i): m for s, i, m in IndicatorWarning.objects.filter(status=WarningStatus.CLOSED).values(
        "subject_id", "indicator_id").annotate(m=Max("closed_period")).values_list("subject_id", "indicator_id", "m")}
    by_month: dict[dt.date, list[tuple[tuple[int, int], ValueRow, levels.Crossing]]] = defaultdict(list)
    for key, items in series.items():
        for value, crossing in items:
            by_month[value.period].append((key, value, crossing))
    pending: dict[int, IndicatorWarning] = {}
    # red again, not written yet: a copy of the warning as it escalated, and what explains it. A warning that
    # stays red month after month in one run escalates once, in its last such month (one entry, one notice
    # naming how many months), written before it moves on: at its closing, or at the end of the run
    escalated: dict[int, Escalation] = {}
    for month in sorted(by_month):
        # one month at a time, every series at once: the episodes move month by month as the values do
        opening: list[tuple[tuple[int, int], ValueRow, levels.Crossing]] = []
        escalating: list[Escalation] = []
        closing: list[IndicatorWarning] = []
        moved_too: set[int] = set()
        as_escalated: list[tuple[IndicatorWarning, Escalation]] = []
        for key, value, crossing in by_month[month]:
            warning = open_warnings.get(key)
            history = closed_until.get(key)
            if warning is None and history is not None and value.period <= history:
                continue
            if warning is not None and value.period < warning.last_period:
                continue
            indicator, version = indicators[key[1]], versions[key[1]]
            if crossing.level > Level.GREEN:
                if warning is None:
                    opening.append((key, value, crossing))
                else:
                    result.updated += 1
                    if _update(warning, indicator, version, value, crossing, pending, later):
                        escalated[warning.pk] = Escalation(warning, later.pop(warning.pk))
            elif warning is not None and value.period > warning.since:
                moved = pending.pop(warning.pk, None) is not None  # changed earlier in this run, not written yet
                snapshot = escalated.pop(warning.pk, None)
                if snapshot is not None:  # its escalation is written first; unmoved since, it closes from there
                    escalating.append(snapshot)
                    if not moved:
                        as_escalated.append((warning, snapshot))
                warning.status, warning.closed_period, warning.updated_at = (WarningStatus.CLOSED, value.period,
                                                                             clock.now())
                warning.value_id = value.pk
                closing.append(warning)
                if moved:
                    moved_too.add(warning.pk)
                del open_warnings[key]
                closed_until[key] = value.period
        with transaction.atomic():
            for warning in _open_many(opening, subjects_by_id, indicators, versions):
                open_warnings[(warning.subject_id, warning.indicator_id)] = warning
            _escalate_many(escalating, indicators)
            for warning, escalation in as_escalated:
                warning.explanation = escalation.explanation  # the row as the escalation left it
            _close_many(closing, moved_too, month, later)
        result.opened += len(opening)
        result.escalated += len(escalating)
        result.closed += len(closing)
    with transaction.atomic():
        _escalate_many(list(escalated.values()), indicators)
        result.escalated += len(escalated)
        if pending:
            _update_in_chunks(list(pending.values()), WARNING_FIELDS, action="indicators.warning.update",
                              reason="预警等级更新", later=later)
    return result


def _write_assessments(wanted: dict[tuple[int, int, dt.date], tuple[int, Decimal | None, int | None, int]],
                       months: list[dt.date], subjects: list[int] | None) -> None:
    """Bring the derived assessments of ``months`` to ``wanted`` ((subject, indicator, month) → value id, number,
    rule version id, level): the ones that differ or have no value any more deleted, the missing ones inserted
    in one bulk statement; an assessment that is already right is not touched."""
    qs = Assessment.objects.filter(period__in=months)
    if subjects is not None:
        qs = qs.filter(subject_id__in=subjects)
    stale: list[int] = []
    have: set[tuple[int, int, dt.date]] = set()
    for pk, sid, iid, period, vid, number, rvid, level in qs.values_list(
            "pk", "subject_id", "indicator_id", "period", "value_id", "number", "rule_version_id", "level"):
        if wanted.get((sid, iid, period)) == (vid, number, rvid, level):
            have.add((sid, iid, period))
        else:
            stale.append(pk)
    rows = [(sid, iid, period, *v) for (sid, iid, period), v in wanted.items() if (sid, iid, period) not in have]
    with transaction.atomic():
        for i in range(0, len(stale), 5000):
            Assessment.objects.filter(pk__in=stale[i:i + 5000]).delete()
        writing.insert_rows(Assessment, ["subject_id", "indicator_id", "period", "value_id", "number",
                                         "rule_version_id", "level"], rows)


def _update_in_chunks(objs: list[IndicatorWarning], fields: list[str], *, action: str, reason: str,
                      later: Later) -> None:
    """Write moved warnings (``update_with_entries``: one ``UPDATE`` per row, pipelined, and one entry each),
    a thousand at a time."""
    for i in range(0, len(objs), UPDATE_CHUNK):
        chunk = objs[i:i + UPDATE_CHUNK]
        _explain_now(chunk, later)
        update_with_entries(IndicatorWarning, chunk, fields, actor=SYSTEM, action=action, reason=reason)


def _sources(values: Iterable[ValueRow]) -> None:
    """Read the sources of these values (one query): what their warnings' explanations show as inputs."""
    missing = {v.pk: v for v in values if v.source_detail is None}
    pks = list(missing)
    for i in range(0, len(pks), 5000):
        for pk, detail in IndicatorValue.objects.filter(pk__in=pks[i:i + 5000]).values_list("pk", "source_detail"):
            missing[pk].source_detail = detail


def _explain_now(warnings: Iterable[IndicatorWarning], later: Later) -> None:
    """Write the explanations of warnings moved in memory (:func:`_update`) before they are written: only the
    explanation of the state a warning is written in is ever made."""
    due = [(w, later.pop(w.pk)) for w in warnings if w.pk in later]
    _sources(args[2] for _w, args in due)
    for w, (indicator, version, value, crossing, since) in due:
        w.explanation = explain(indicator, version, value, crossing, since)


UPDATE_CHUNK = 1000
WARNING_FIELDS = ["level", "value", "rule_version", "highest_level", "last_period", "red_months", "updated_at",
                  "explanation"]
CLOSE_FIELDS = ["status", "closed_period", "value", "updated_at"]


def _open_many(opening: list[tuple[tuple[int, int], ValueRow, levels.Crossing]],
               subjects_by_id: dict[int, Organization], indicators: dict[int, Indicator],
               versions: dict[int, WarningRuleVersion]) -> list[IndicatorWarning]:
    """Open the warnings of one month and their cases (the cases first, so each warning is written once,
    naming its case): a few bulk statements, one ledger entry per case, history row and warning."""
    if not opening:
        return []
    now = clock.now()
    items = []
    _sources(value for _key, value, _crossing in opening)
    for (subject_id, indicator_id), value, crossing in opening:
        indicator = indicators[indicator_id]
        text = f"{indicator.name} {value.period:%Y-%m} {LEVEL_NAMES[crossing.level]}预警"
        items.append(workflow.NewCase(basis_text=f"{text}：{value.value}{indicator.unit}（预警线 {crossing.line}）",
                                      debtor_org=subjects_by_id[subject_id], basis=IndicatorValue(pk=value.pk)))
    month = opening[0][1].period
    cases = workflow.open_cases(KIND, items, owed_to="市信用办", reason=f"{month:%Y-%m} 指标预警")
    warnings = []
    for ((subject_id, indicator_id), value, crossing), case in zip(opening, cases, strict=True):
        indicator, version = indicators[indicator_id], versions[indicator_id]
        warnings.append(IndicatorWarning(
            subject_id=subject_id, indicator=indicator, rule_version=version, value_id=value.pk, level=crossing.level,
            highest_level=crossing.level, since=value.period, last_period=value.period,
            red_months=int(crossing.level == Level.RED),
            explanation=explain(indicator, version, value, crossing, value.period),
            status=WarningStatus.OPEN, case=case, created_at=now, updated_at=now))
    created: list[IndicatorWarning] = create_with_entries(
        IndicatorWarning, warnings, actor=SYSTEM, action="indicators.warning.open",
        reason=f"{month:%Y-%m} 数值达到预警线（各预警的办理事项见其记录）")
    return created


class Escalation:
    """A warning as it was when it escalated (red again), kept until written: the few columns that move within
    a run, read now, and what explains that state; the copy of the warning is made only when it is written."""

    FIELDS = ("level", "value_id", "rule_version_id", "highest_level", "last_period", "red_months", "updated_at")

    def __init__(self, warning: IndicatorWarning, why: Explained) -> None:
        self.warning, self.why = warning, why
        self.values = tuple(getattr(warning, f) for f in self.FIELDS)
        self.explanation: dict[str, Any] = {}

    def as_written(self) -> IndicatorWarning:
        copied = copy.copy(self.warning)
        for name, value in zip(self.FIELDS, self.values, strict=True):
            setattr(copied, name, value)
        copied.status, copied.closed_period = WarningStatus.OPEN, None
        return copied


def _escalate_many(escalating: list[Escalation], indicators: dict[int, Indicator]) -> None:
    """Red again: the warnings as they escalated, one entry each and a notice to the credit office and the
    district, by month."""
    by_month: dict[dt.date, list[Escalation]] = defaultdict(list)
    for escalation in escalating:
        by_month[escalation.why[2].period].append(escalation)
    for month, items in sorted(by_month.items()):
        reason = f"{month:%Y-%m} 连续红色预警"
        warnings = [e.as_written() for e in items]
        _update_in_chunks(warnings, WARNING_FIELDS, action="indicators.warning.escalate", reason=reason,
                          later={w.pk: e.why for w, e in zip(warnings, items, strict=True)})
        for w, e in zip(warnings, items, strict=True):
            e.explanation = w.explanation
        cases = [w.case for w in warnings if w.case is not None]
        found = workflow.recipients_many(cases, lambda case: {Role.CREDIT_OFFICE, Role.DISTRICT})
        workflow.notify_many([workflow.Message(
            found[w.case.pk], f"督办：{indicators[w.indicator_id].name} 连续 {w.red_months} 个月红色预警（{month:%Y-%m}）",
            w.case) for w in warnings if w.case is not None])


def _close_many(closing: list[IndicatorWarning], moved_too: set[int], month: dt.date, later: Later) -> None:
    """Back below the yellow line: the warnings closed and their cases with them (the system step). Only the
    columns a closing changes are written, and the level's too for a warning whose level moved earlier in this
    run and was not written yet (``moved_too``)."""
    if not closing:
        return
    reason = f"{month:%Y-%m} 数值回到预警线以下"
    plain = [w for w in closing if w.pk not in moved_too]
    moved = [w for w in closing if w.pk in moved_too]
    _update_in_chunks(plain, CLOSE_FIELDS, action="indicators.warning.close", reason=reason, later=later)
    _update_in_chunks(moved, [*CLOSE_FIELDS, *(f for f in WARNING_FIELDS if f not in CLOSE_FIELDS)],
                      action="indicators.warning.close", reason=reason, later=later)
    cases = [w.case for w in closing if w.case is not None and w.case.closed_at is None]
    workflow.close_cases(cases, CLEARED, reason)


def _update(warning: IndicatorWarning, indicator: Indicator, version: WarningRuleVersion, value: ValueRow,
            crossing: levels.Crossing, pending: dict[int, IndicatorWarning], later: Later) -> bool:
    """Move an open warning to a later (or the same, re-computed) month; True when it escalates (red again:
    the caller keeps a copy of it as it is now, to be written as the escalation), else it waits in ``pending``
    for the end of the run."""
    moved_on = value.period > warning.last_period
    red = crossing.level == Level.RED
    red_months = (warning.red_months + 1 if moved_on else warning.red_months) if red else 0
    changed = (warning.level != crossing.level or warning.value_id != value.pk or moved_on
               or warning.rule_version_id != version.pk)
    if not changed:
        return False
    escalate = red and moved_on and red_months >= 2
    warning.level, warning.value_id, warning.rule_version = crossing.level, value.pk, version
    warning.highest_level = max(warning.highest_level, crossing.level)
    warning.last_period, warning.red_months, warning.updated_at = value.period, red_months, clock.now()
    later[warning.pk] = (indicator, version, value, crossing, warning.since)  # explained when written
    if not escalate:
        pending[warning.pk] = warning  # written together at the end of the evaluation (one entry each)
        return False
    pending.pop(warning.pk, None)
    return True


def run(today: dt.date | None = None) -> dict[str, int]:
    """The scheduled job: compute this month and the last, then evaluate them."""
    load_defaults()
    today = today or clock.today()
    months = registry.months_back(today, 2)
    computed = compute(months)
    evaluated = evaluate(months)
    return {"written": computed.written, "assessed": evaluated.assessed, "opened": evaluated.opened,
            "closed": evaluated.closed}


# --- debt (K5) -------------------------------------------------------------------------------------

DEBT_CODES = ("debt_balance", "fiscal_capacity", "debt_ratio", "new_debt_ratio", "debt_service_ratio",
              "overdue_debt_ratio")
RATED = ("debt_ratio", "overdue_debt_ratio")
RATINGS = {0: "A", 1: "B", 2: "C", 3: "D"}
RATING_NAMES = {"A": "低风险", "B": "较低风险", "C": "较高风险", "D": "高风险", "": "无数据"}


def rating(levels_by_code: dict[str, int]) -> str:
    """A district's debt rating: the worst level of 债务率 and 逾期债务率 (A green … D red; "" without data)."""
    known = [levels_by_code[c] for c in RATED if levels_by_code.get(c, NO_VALUE) != NO_VALUE]
    return RATINGS[max(known)] if known else ""


@dataclass
class Tenure:
    person: str
    post: str
    start: dt.date
    end: dt.date | None
    borrowed: Decimal
    used: Decimal
    repaid: Decimal
    months: int


def tenures(district: Organization) -> list[Tenure]:
    """Each post held at the district (the post history): debt borrowed, used and repaid in its months."""
    from govcredit.subjects.models import PostAssignment

    codes = {"new_debt": "borrowed", "debt_used": "used", "debt_repaid": "repaid"}
    monthly: dict[dt.date, dict[str, Decimal]] = defaultdict(dict)
    for code, period, value in IndicatorValue.objects.filter(
            subject=district, is_current=True, indicator__code__in=list(codes)).values_list(
            "indicator__code", "period", "value"):
        monthly[period][codes[code]] = value or Decimal(0)
    out = []
    for post in PostAssignment.objects.filter(employer=district).select_related("person").order_by("start_date"):
        start = registry.month_start(post.start_date)
        end = post.end_date
        inside = [m for m in monthly if m >= start and (end is None or m <= end)]
        sums = {k: sum((monthly[m].get(k, Decimal(0)) for m in inside), Decimal(0)) for k in codes.values()}
        out.append(Tenure(post.person.name, post.post, post.start_date, end, sums["borrowed"], sums["used"],
                          sums["repaid"], len(inside)))
    return out


def bulk_enter(rows: Iterable[tuple[Indicator, int, dt.date, Decimal | None]], *, actor: str,
               source_detail: dict[str, Any] | None = None) -> int:
    """First versions of many entered values at once (demo city, benchmarks, a migration of earlier data):
    periods that already have a value are left as they are. One ledger entry per value."""
    rows = list(rows)
    if not rows:
        return 0
    have = set(IndicatorValue.objects.filter(is_current=True, indicator__in={r[0].pk for r in rows},
                                             period__in={r[2] for r in rows})
               .values_list("indicator_id", "subject_id", "period"))
    now = clock.now()
    new = [IndicatorValue(indicator=ind, subject_id=sid, period=period, version=1, is_current=True, value=value,
                          no_value_reason="" if value is not None else "未填报", source=Source.FILE,
                          source_detail=source_detail or {}, entered_by=None, entered_by_name=actor, note="",
                          created_at=now)
           for ind, sid, period, value in rows if (ind.pk, sid, period) not in have]
    create_with_entries(IndicatorValue, new, actor=actor, action="indicators.value.enter", reason="批量导入")
    return len(new)
