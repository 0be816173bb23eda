"""The credit report's sections on objections (异议) and credit repairs (信用修复), registered from
``apps.py`` in the core registry (``govcredit.core.report_sections``): reports and remedies share a layer,
so neither imports the other.

A row names the record by its category and document number, the date of filing, the procedure's state
and, once decided by the report's moment, the outcome with its reason. It names no applicant (the
applicant may be a third party; a report is filed on paper). Objections and repairs on records since
revoked are left out, as the report leaves out the revoked records themselves.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from govcredit.archive.models import RecordStatus
from govcredit.core import clock
from govcredit.core.report_sections import Row, Section, SubjectFilter, person_or_org

from .models import Objection, Repair

REASON_CHARS = 120


def _decided(decided_at: dt.datetime | None, at: dt.datetime) -> bool:
    return decided_at is not None and decided_at <= at


def _state(state: str, decided_at: dt.datetime | None, at: dt.datetime) -> str:
    """The procedure's state, or 办理中 for one decided only after the report's moment."""
    return _("办理中") if decided_at is not None and decided_at > at else state


def _record(decision_number: str, type_name: str) -> str:
    return f"{type_name}\n{decision_number}"


def objection_rows(subject: SubjectFilter, at: dt.datetime) -> list[Row]:
    objections = (Objection.objects.filter(**person_or_org(subject, "record__"), created_at__lte=at)
                  .exclude(record__status=RecordStatus.REVOKED)
                  .select_related("record__record_type", "case").order_by("-created_at", "-pk"))
    rows = []
    for n, o in enumerate(objections, 1):
        outcome = (f"{o.outcome}：{o.outcome_reason[:REASON_CHARS]}" if _decided(o.decided_at, at) and o.outcome
                   else "—")
        rows.append([str(n), f"{o.number}\n{clock.local_date(o.created_at).isoformat()}",
                     _record(o.record.decision_number, o.record.record_type.name), o.get_ground_display(),
                     _state(o.case.status, o.decided_at, at), outcome])
    return rows


def objection_columns() -> list[str]:
    return [_("序号"), _("编号与日期"), _("涉及记录"), _("异议理由"), _("办理状态"), _("处理结果与理由")]


def repair_rows(subject: SubjectFilter, at: dt.datetime) -> list[Row]:
    repairs = (Repair.objects.filter(**person_or_org(subject, "record__"), created_at__lte=at)
               .exclude(record__status=RecordStatus.REVOKED)
               .select_related("record__record_type", "case").order_by("-created_at", "-pk"))
    rows = []
    for n, r in enumerate(repairs, 1):
        outcome = "—"
        if _decided(r.decided_at, at) and r.outcome:
            outcome = f"{r.outcome}：{r.outcome_reason[:REASON_CHARS]}" + (
                _("（依据：%(rule)s）") % {"rule": r.rule} if r.rule else "")
        rows.append([str(n), f"{r.number}\n{clock.local_date(r.created_at).isoformat()}",
                     _record(r.record.decision_number, r.record.record_type.name),
                     _state(r.case.status, r.decided_at, at), outcome])
    return rows


def repair_columns() -> list[str]:
    return [_("序号"), _("编号与日期"), _("涉及记录"), _("办理状态"), _("处理结果与理由")]


def objection_holders(field: str, ids: list[int]) -> set[int]:
    return set(Objection.objects.filter(**{f"record__{field}__in": ids}).order_by()
               .values_list(f"record__{field}", flat=True).distinct())


def repair_holders(field: str, ids: list[int]) -> set[int]:
    return set(Repair.objects.filter(**{f"record__{field}__in": ids}).order_by()
               .values_list(f"record__{field}", flat=True).distinct())


OBJECTIONS = Section(30, lambda: _("异议"), objection_columns, ("auto", "auto", "1fr", "1fr", "auto", "2fr"),
                     objection_rows, objection_holders)
REPAIRS = Section(40, lambda: _("信用修复"), repair_columns, ("auto", "auto", "1fr", "auto", "2fr"),
                  repair_rows, repair_holders)
