"""JSON API of the 双公示 statistics (mounted at ``/api/statistics/``).

``GET /summary`` is public (the city-wide monthly rates shown on the portal); ``GET /departments`` needs a
token or session of the credit office (city-wide) or of a district or submitter (their own subtree).
"""


import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.params import functions as param

from govcredit.accounts import access
from govcredit.api.common import ERRORS, api_auth, user_of
from govcredit.core.params import Month

from . import report as figures
from .selectors import visible_figures

router = Router(tags=["双公示统计"])
MAX_MONTHS = 60


class CountsOut(Schema):
    total: int = Field(description="双公示决定数")
    complete: int = Field(description="数据完整的决定数")
    due: int = Field(description="应公示数")
    on_time: int = Field(description="按时公示数")
    late_published: int = Field(description="逾期公示数")
    overdue_unpublished: int = Field(description="逾期未公示数")
    pending: int = Field(description="期限内待公示数（不计入及时率）")
    on_time_rate: float | None = Field(description="及时率（0–1）；无可统计决定时为 null")
    publication_rate: float | None = Field(description="公示率（0–1）")
    completeness_rate: float | None = Field(description="完整率（0–1）")
    avg_workdays: float | None = Field(description="平均公示用时（工作日）")


class MonthOut(CountsOut):
    month: str = Field(description="月份 YYYY-MM（按决定日期）")


class DepartmentOut(CountsOut):
    rank: int = Field(description="名次（按及时率、完整率）")
    org_id: int = Field(description="单位编号")
    name: str = Field(description="决定单位")
    district: str = Field(description="所属区域（市本级或区）")
    below_target: bool = Field(description="及时率或完整率未达到 100%")


class AreaOut(CountsOut):
    rank: int = Field(description="名次")
    name: str = Field(description="区域")
    below_target: bool = Field(description="及时率或完整率未达到 100%")


class SummaryOut(Schema):
    scope: str = Field(description="统计范围")
    start: str = Field(description="起始月份")
    end: str = Field(description="截止月份")
    today: dt.date = Field(description="统计截至日期")
    target: float = Field(1.0, description="目标（100%）")
    total: CountsOut
    months: list[MonthOut]
    warnings: list[str] = Field(description="节假日安排提示（如某年尚未录入安排，按周一至周五估算）")
    refreshed_at: dt.datetime | None = Field(description="统计数据更新时间")


class DepartmentsOut(SummaryOut):
    departments: list[DepartmentOut]
    districts: list[AreaOut]


class PeriodIn(Schema):
    start: Month | None = Field(None, description="起始月份 YYYY-MM（默认最近 12 个月）")
    end: Month | None = Field(None, description="截止月份 YYYY-MM（默认本月）")


def _counts(c: figures.Counts) -> dict[str, object]:
    return {"total": c.total, "complete": c.complete, "due": c.due, "on_time": c.on_time,
            "late_published": c.late_published, "overdue_unpublished": c.overdue_unpublished, "pending": c.pending,
            "on_time_rate": c.on_time_rate, "publication_rate": c.publication_rate,
            "completeness_rate": c.completeness_rate, "avg_workdays": c.avg_workdays}


def _summary(report: figures.Report) -> dict[str, object]:
    return {"scope": report.scope_label, "start": f"{report.start:%Y-%m}", "end": f"{report.end:%Y-%m}",
            "today": report.today, "target": 1.0, "total": _counts(report.total),
            "months": [{"month": m.label, **_counts(m.counts)} for m in report.months],
            "warnings": report.warnings, "refreshed_at": report.refreshed_at}


@router.get("/summary", auth=None, response=SummaryOut, summary="全市双公示月度及时率、完整率（公开）")
def summary(request: HttpRequest,
            months: int = param.Query(12, ge=1, le=60, description="最近几个月")) -> dict[str, object]:
    start, end = figures.default_period(months=months)
    return _summary(figures.build_report(Q(), start, end, use_summary=True))


@router.get("/departments", auth=api_auth(access.READ_STATISTICS), response={200: DepartmentsOut, **ERRORS},
            summary="按部门、区域的双公示统计与排名（本单位及下级范围）")
def departments(request: HttpRequest, period: Query[PeriodIn]) -> dict[str, object]:
    scope = visible_figures(user_of(request))
    if scope is None:
        raise PermissionDenied("您的角色无权查看双公示统计")
    default_start, default_end = figures.default_period()
    start = period.start or default_start
    end = period.end or default_end
    start, end = min(start, end), max(start, end)
    start = max(start, figures.add_months(end, -(MAX_MONTHS - 1)))
    report = figures.build_report(scope.filter, start, end, scope_label=scope.label, use_summary=True)
    out = _summary(report)
    out["departments"] = [{"rank": d.rank, "org_id": d.org_id, "name": d.name, "district": d.district,
                           "below_target": d.counts.below_target, **_counts(d.counts)} for d in report.departments]
    out["districts"] = [{"rank": a.rank, "name": a.name, "below_target": a.counts.below_target, **_counts(a.counts)}
                        for a in report.districts]
    return out
