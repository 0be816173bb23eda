"""双公示 on-time and completeness rates as indicators (registered in ``apps.py`` with the indicators app):
one aggregate query over the monthly figures per subject (district or city department) and month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Sum

from govcredit.indicators.registry import Behind, Computation, Row, Subjects, subject_path
from govcredit.subjects.models import Organization

from .models import MonthlyFigure


def _sums(months: list[dt.date]) -> Iterable[dict[str, object]]:
    return (MonthlyFigure.objects.filter(month__in=months).annotate(s=subject_path("issuing_org__path"))
            .values("s", "month").annotate(on_time=Sum("on_time"), late=Sum("late_published"),
                                           overdue=Sum("overdue_unpublished"), total=Sum("total"),
                                           complete=Sum("complete")).order_by())


def on_time(months: list[dt.date], subjects: Subjects) -> list[Row]:
    rows: list[Row] = []
    for r in _sums(months):
        sid = subjects.of(str(r["s"]))
        if sid is None:
            continue
        settled = int(r["on_time"]) + int(r["late"]) + int(r["overdue"])  # type: ignore[call-overload]
        rows.append((sid, r["month"], int(r["on_time"]), settled,  # type: ignore[arg-type, call-overload]
                     {"按时公示": r["on_time"], "逾期公示": r["late"], "逾期未公示": r["overdue"]}))
    return rows


def complete(months: list[dt.date], subjects: Subjects) -> list[Row]:
    rows: list[Row] = []
    for r in _sums(months):
        sid = subjects.of(str(r["s"]))
        if sid is None:
            continue
        rows.append((sid, r["month"], int(r["complete"]), int(r["total"]),  # type: ignore[arg-type, call-overload]
                     {"数据完整": r["complete"], "双公示决定": r["total"]}))
    return rows


def behind(org: Organization, month: dt.date) -> list[Behind]:
    return [Behind("双公示统计（内部）", "statistics:internal")]


ON_TIME = Computation("shuang_on_time", "双公示按时公示率（月度统计汇总）", on_time, kind="ratio", records=behind)
COMPLETE = Computation("shuang_complete", "双公示数据完整率（月度统计汇总）", complete, kind="ratio", records=behind)
