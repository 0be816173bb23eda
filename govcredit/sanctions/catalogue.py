"""The measures catalogue (联合奖惩措施清单) kept by the credit office: loading the data file and publishing
new versions of measures and rules.

A version is never changed: editing publishes version n+1, and measures already started keep the
versions that created them, so a rule changed later applies to new records only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcredit.catalog.models import RecordType, SubjectKind
from govcredit.core import clock
from govcredit.ledger.services import save_with_entry

from .models import Effect, MeasureType, MeasureVersion, Polarity, Purpose, Rule, RuleVersion

DATA_FILE = Path(__file__).parent / "data" / "measures.json"
MEASURE_KEYS = ("legal_basis", "duration_months", "subject_kinds", "restricts", "favours", "effect",
                "rectification_days", "rectification_working_days", "is_active")
MAX_RECTIFICATION_DAYS = 365
RULE_KEYS = ("record_types", "severities", "subject_kinds", "min_count", "within_years", "measures", "is_active")
GOVERNMENT_KINDS = {SubjectKind.ORGANIZATION.value, SubjectKind.CIVIL_SERVANT.value}


def _check_measure(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if not str(data.get("legal_basis") or "").strip():
        errors["legal_basis"] = _("请填写措施的依据")
    months = data.get("duration_months")
    if not isinstance(months, int) or not 1 <= months <= 120:
        errors["duration_months"] = _("期限须为 1 至 120 个月")
    kinds = data.get("subject_kinds") or []
    if not kinds or not set(kinds) <= GOVERNMENT_KINDS:
        errors["subject_kinds"] = _("适用主体须为政府机构和/或公务员")
    purposes = set(Purpose.values)
    for key in ("restricts", "favours"):
        if not set(data.get(key) or []) <= purposes:
            errors[key] = _("事项须为：%(values)s") % {"values": _("、").join(str(p.label) for p in Purpose)}
    if data.get("effect", "") not in Effect.values:
        errors["effect"] = _("附带办理无效")
    days = data.get("rectification_days", 10)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_RECTIFICATION_DAYS:
        errors["rectification_days"] = _("整改期限须为 1 至 %(max)s 天") % {"max": MAX_RECTIFICATION_DAYS}
    if not isinstance(data.get("rectification_working_days", True), bool):
        errors["rectification_working_days"] = _("整改期限须注明按工作日或自然日计算")
    if errors:
        raise ValidationError(errors)


def _check_rule(data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    types = data.get("record_types") or []
    if not types:
        errors["record_types"] = _("请至少选择一个信息类别")
    kinds = data.get("subject_kinds") or []
    if not kinds or not set(kinds) <= GOVERNMENT_KINDS:
        errors["subject_kinds"] = _("适用主体须为政府机构和/或公务员")
    if not isinstance(data.get("min_count"), int) or not 1 <= data["min_count"] <= 100:
        errors["min_count"] = _("记录数须为 1 至 100")
    if not isinstance(data.get("within_years"), int) or not 1 <= data["within_years"] <= 10:
        errors["within_years"] = _("统计年限须为 1 至 10 年")
    codes = data.get("measures") or []
    known = set(MeasureType.objects.filter(code__in=codes).values_list("code", flat=True))
    if not codes or set(codes) - known:
        errors["measures"] = (_("措施代码无效：%(codes)s") % {"codes": "、".join(sorted(set(codes) - known))}
                              if codes else _("未选择措施"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def publish_measure(measure: MeasureType, data: dict[str, Any], *, actor: str, reason: str) -> MeasureVersion:
    """Publish version n+1 of a measure; measures already applied keep their version."""
    _check_measure(data)
    if not reason.strip():
        raise ValidationError({"reason": _("发布新版本必须填写理由")})
    latest = MeasureVersion.objects.filter(measure_type=measure).order_by("-version").first()
    version = MeasureVersion(measure_type=measure, version=(latest.version + 1) if latest else 1, created_by=actor,
                             created_at=clock.now(), **{k: data[k] for k in MEASURE_KEYS if k in data})
    save_with_entry(version, actor=actor, action="sanctions.measure.publish", reason=reason)
    return version


@transaction.atomic
def publish_rule(rule: Rule, data: dict[str, Any], *, actor: str, reason: str) -> RuleVersion:
    """Publish version n+1 of a rule; it applies to records that take effect from now on."""
    _check_rule(data)
    if not reason.strip():
        raise ValidationError({"reason": _("发布新版本必须填写理由")})
    latest = RuleVersion.objects.filter(rule=rule).order_by("-version").first()
    version = RuleVersion(rule=rule, version=(latest.version + 1) if latest else 1, created_by=actor,
                          created_at=clock.now(), **{k: data[k] for k in RULE_KEYS if k in data})
    save_with_entry(version, actor=actor, action="sanctions.rule.publish", reason=reason)
    return version


def _same(version: Any, data: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(getattr(version, k) == data.get(k, getattr(version, k)) for k in keys)


@transaction.atomic
def load_measures(path: Path = DATA_FILE, *, actor: str = "system") -> list[MeasureVersion | RuleVersion]:
    """Create missing measures and rules from the data file; publish a new version where it differs.

    Rules may name record types the catalog does not hold (yet): they simply never match.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    published: list[MeasureVersion | RuleVersion] = []
    now = clock.now()
    for data in doc["measures"]:
        if data["polarity"] not in Polarity.values:
            raise ValidationError({"polarity": f"{data['name']}：类别须为惩戒或激励"})
        measure = MeasureType.objects.filter(code=data["code"]).first()
        if measure is None:
            measure = MeasureType(code=data["code"], name=data["name"], polarity=data["polarity"], created_at=now)
            save_with_entry(measure, actor=actor, action="sanctions.measure.create", reason=f"载入措施清单 {path.name}")
        latest = MeasureVersion.objects.filter(measure_type=measure).order_by("-version").first()
        if latest is None or not _same(latest, data, MEASURE_KEYS):
            published.append(publish_measure(measure, data, actor=actor, reason=f"载入措施清单 {path.name}"))
    for data in doc["rules"]:
        rule = Rule.objects.filter(code=data["code"]).first()
        if rule is None:
            rule = Rule(code=data["code"], name=data["name"], created_at=now)
            save_with_entry(rule, actor=actor, action="sanctions.rule.create", reason=f"载入措施清单 {path.name}")
        latest_rule = RuleVersion.objects.filter(rule=rule).order_by("-version").first()
        if latest_rule is None or not _same(latest_rule, data, RULE_KEYS):
            published.append(publish_rule(rule, data, actor=actor, reason=f"载入措施清单 {path.name}"))
    return published


def record_type_choices() -> list[tuple[str, str]]:
    return list(RecordType.objects.order_by("id").values_list("code", "name"))
