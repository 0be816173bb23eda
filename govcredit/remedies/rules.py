"""Time limits and repairability, read from the catalog version a record was made under.

The catalog keeps them per record type in its ``publication`` rules (``objection`` and ``repair``) and
per severity (``repairable``, ``repair_rule``); what a version leaves out takes these defaults.

Objections — default: accept or refuse within **1** working day, decide within **5**, extend once by
**5** with a written reason. The regional credit rules behind these figures (DESIGN.md, reference
rules): 上海市社会信用条例 (2017) 第36条 marks the record within 1 working day and decides within 5
(or forwards within 2, then 5); 山东省社会信用条例 (2020) 第39条 3 working days, or 7 with other units;
浙江省公共信用信息管理条例 (2017) 第30–31条 5, extendable to 20; 深圳经济特区社会信用条例 (2023) 第50–51条
1, then 2 (+3); the national 征信业管理条例 第25条 answers within 20 days. The Jiangsu and Nanjing figures
are not confirmed, so every one is configurable.

Credit repair — 《信用修复管理办法》 (国家发展改革委令2025年第36号, in force since 2026-04-01): a 失信
record may be repaired after the shortest publicity period of its severity (轻微: none, once the
obligation is met; 一般: 3 months; 严重: 1 year; counted from the decision), when the conduct is
corrected, the obligations are met and a credit commitment is made. The department's time limits are
not set by the 办法: default accept or refuse within **2** working days, decide within **5**.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import add_months
from govcredit.catalog import i18n
from govcredit.catalog.models import Polarity

OBJECTION_DEFAULTS = {"accept_days": 1, "decide_days": 5, "extend_days": 5}
REPAIR_DEFAULTS = {"accept_days": 2, "decide_days": 5}
REPAIR_LAW = gettext_noop("《信用修复管理办法》（国家发展改革委令2025年第36号）")


@dataclass(frozen=True)
class Limits:
    accept_days: int
    decide_days: int
    extend_days: int = 0


def _limits(record: CreditRecord, key: str, defaults: dict[str, int]) -> Limits:
    given: dict[str, Any] = (record.type_version.publication or {}).get(key) or {}
    return Limits(**{k: int(given.get(k, v)) for k, v in defaults.items()})


def objection_limits(record: CreditRecord) -> Limits:
    return _limits(record, "objection", OBJECTION_DEFAULTS)


def repair_limits(record: CreditRecord) -> Limits:
    return _limits(record, "repair", REPAIR_DEFAULTS)


def earliest_repair(record: CreditRecord) -> dt.date:
    """The day repair may be applied for: the decision plus the severity's shortest publicity period."""
    severity = record.type_version.severity(record.severity) or {}
    return add_months(record.decision_date, int(severity.get("min_months", 0)))


def repair_refusal(record: CreditRecord, today: dt.date) -> str | None:
    """Why the record may not be repaired now, naming the rule; None when an application may be made."""
    version = record.type_version
    name = i18n.type_name(record.record_type.code, record.record_type.name)
    if version.polarity != Polarity.DISHONEST:
        return gettext("%(law)s：信用修复只适用于失信信息，“%(name)s”是%(polarity)s信息") % {
            "law": gettext(REPAIR_LAW), "name": name, "polarity": version.get_polarity_display()}
    if record.status == RecordStatus.OBJECTION:
        return gettext("该记录正在异议处理中：异议办结前不能申请信用修复")
    if record.status in (RecordStatus.REPAIRED, RecordStatus.REVOKED):
        return gettext("该记录%(status)s，无需申请信用修复") % {"status": record.get_status_display()}
    severity = version.severity(record.severity) or {}
    if not severity.get("repairable", True):
        rule = severity.get("repair_rule") or gettext("依法律、法规规定不适用信用修复")
        return gettext("目录规定“%(name)s”（%(severity)s）不可修复：%(rule)s") % {
            "name": name, "severity": i18n.term(record.severity), "rule": rule}
    earliest = earliest_repair(record)
    if earliest > today:
        months = int(severity.get("min_months", 0))
        return gettext("%(law)s：%(severity)s失信信息的最短公示期为 %(months)s 个月，自决定之日（%(decided)s）起算，"
                       "%(earliest)s 起方可申请修复") % {
            "law": gettext(REPAIR_LAW), "severity": i18n.term(record.severity), "months": months,
            "decided": f"{record.decision_date:%Y-%m-%d}", "earliest": f"{earliest:%Y-%m-%d}"}
    return None
