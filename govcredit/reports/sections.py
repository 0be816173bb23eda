"""The sections of a credit report, and the registry through which other apps add theirs.

The archive's own sections (dishonesty records, positive records and integrity education) are built
here; other apps (objections and repairs, measures, rectifications, fault-tolerance findings) register a
:class:`~govcredit.core.report_sections.Section` from their ``apps.py`` with
``govcredit.core.report_sections.register_report_section`` (re-exported here), so the report lists
them without this app importing them, and they need not import this one (same layer or below).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.core import clock
from govcredit.core.report_sections import (
    Row,
    Section,
    holders_known,
    may_have_rows,
    register_report_section,
    registered_sections,
)

__all__ = ["COUNTED", "NEGATIVE", "SHOWN", "Row", "Section", "holders_known", "in_force", "may_have_rows",
           "record_holders", "register_report_section", "registered_sections"]

NEGATIVE = "失信"
COUNTED = (RecordStatus.VALID, RecordStatus.OBJECTION, RecordStatus.EXPIRED)  # in force: counted in the conclusion
SHOWN = (*COUNTED, RecordStatus.REPAIRED)  # revoked records are not in force and not in a report


def in_force(subject: dict[str, Any], at: dt.datetime) -> QuerySet[CreditRecord]:
    """The subject's records decided by ``at`` that a report lists (revoked ones are not)."""
    return (CreditRecord.objects.filter(**subject, decision_date__lte=clock.local_date(at), status__in=SHOWN)
            .select_related("record_type", "issuing_org").order_by("-decision_date", "-pk"))


def _record_row(n: int, record: CreditRecord) -> Row:
    what = record.result or record.facts or record.decision_number
    return [str(n), record.record_type.name, f"{record.decision_number}\n{what[:120]}",
            record.decision_date.isoformat(), record.issuing_org.name, str(record.get_status_display())]


def record_columns() -> list[str]:
    return [_("序号"), _("信息类别"), _("文书号与内容"), _("决定日期"), _("报送单位"), _("状态")]


RECORD_WIDTHS = ("auto", "auto", "1fr", "auto", "auto", "auto")


def negative_rows(subject: dict[str, Any], at: dt.datetime) -> list[Row]:
    records = in_force(subject, at).filter(type_version__polarity=NEGATIVE)
    return [_record_row(n, r) for n, r in enumerate(records, 1)]


def positive_rows(subject: dict[str, Any], at: dt.datetime) -> list[Row]:
    records = in_force(subject, at).exclude(type_version__polarity=NEGATIVE)
    return [_record_row(n, r) for n, r in enumerate(records, 1)]


def record_holders(field: str, ids: list[int]) -> set[int]:
    """Of the subjects ``ids``, those with any record (whatever its status or date: a superset)."""
    return set(CreditRecord.objects.filter(**{f"{field}__in": ids}).order_by().values_list(field, flat=True).distinct())


register_report_section("archive.negative", Section(
    10, lambda: _("失信记录"), record_columns, RECORD_WIDTHS, negative_rows, record_holders))
register_report_section("archive.positive", Section(
    20, lambda: _("守信与正面信息（表彰奖励、诚信教育培训、诚信模范）"), record_columns, RECORD_WIDTHS, positive_rows,
    record_holders))
