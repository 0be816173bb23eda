"""Statistics pages: the public 双公示 summary, the internal view with rankings, and their XLSX exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.core import jobs, params

from . import report as figures
from . import services
from .selectors import CITY_WIDE, visible_figures
from .xlsx import report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MONTHS = 60
PUBLIC_MONTH_CHOICES = (12, 24, 36)


def _public_report(request: HttpRequest) -> figures.Report:
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    months = months if months in PUBLIC_MONTH_CHOICES else 12
    start, end = figures.default_period(months=months)
    return figures.build_report(Q(), start, end, scope_label=CITY_WIDE, use_summary=True)


def _chart_labels() -> dict[str, str]:
    """The charts' series and target-line names in the page's language (statistics/charts.js reads them)."""
    return {"on_time": _("及时率"), "completeness": _("完整率"), "publication": _("公示率"), "target": _("目标")}


def public_summary(request: HttpRequest) -> HttpResponse:
    """/portal/statistics/ — city-wide monthly rates toward the 100% target; no login.

    Reads the figures the scheduled refresh stored: a visit never starts a refresh.
    """
    report = _public_report(request)
    return render(request, "statistics/public.html", {
        "report": report, "chart": report.chart(), "chart_labels": _chart_labels(), "month_choices": PUBLIC_MONTH_CHOICES,
        "months_selected": len(report.months),
    })


def public_export(request: HttpRequest) -> HttpResponse:
    report = _public_report(request)
    return _xlsx(report_workbook(report, with_departments=False), f"双公示统计_全市_{report.end:%Y%m}.xlsx")


def _scope(request: HttpRequest) -> tuple[Q, str, str]:
    """The fact filter, the scope label for the report and its files (Chinese), and the label for the page."""
    access.require(request.user, access.READ_STATISTICS)
    scope = visible_figures(request.user)
    if scope is None:  # a district or submitter without an organisation
        raise PermissionDenied(_("您的角色无权查看双公示统计"))
    if scope.org is None:
        return scope.filter, scope.label, _("全市")
    return scope.filter, scope.label, _("%(org)s及下级单位") % {"org": scope.org.name}


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[str]]:
    default_start, default_end = figures.default_period()
    start = params.query_month(request.GET, "start") or default_start
    end = params.query_month(request.GET, "end") or default_end
    notes = []
    if start > end:
        start, end = end, start
        notes.append(_("起止月份颠倒，已自动调换"))
    if len(figures.month_range(start, end)) > MAX_MONTHS:
        start = figures.add_months(end, -(MAX_MONTHS - 1))
        notes.append(_("统计期间最长 %(months)d 个月，已从 %(start)s 起统计")
                     % {"months": MAX_MONTHS, "start": f"{start:%Y-%m}"})
    return start, end, notes


def _internal_report(request: HttpRequest) -> figures.Report:
    scope, label, _display = _scope(request)
    start, end, _notes = _period(request)
    return figures.build_report(scope, start, end, scope_label=label, use_summary=True)


@login_required
def internal(request: HttpRequest) -> HttpResponse:
    """/portal/statistics/internal/ — trends, department and district rankings, who misses 100%."""
    scope, label, scope_display = _scope(request)
    start, end, notes = _period(request)
    report = figures.build_report(scope, start, end, scope_label=label, use_summary=True)
    context: dict[str, Any] = {
        "report": report, "scope_display": scope_display, "chart": report.chart(), "ranking": report.ranking_chart(),
        "chart_labels": _chart_labels(), "notes": notes,
        "start": f"{report.start:%Y-%m}", "end": f"{report.end:%Y-%m}",
        "can_refresh": access.has(request.user, access.REFRESH_STATISTICS), "run": jobs.state_of(services.JOB),
    }
    return render(request, "statistics/internal.html", context)


@login_required
def internal_export(request: HttpRequest) -> HttpResponse:
    report = _internal_report(request)
    name = f"双公示统计_{report.scope_label}_{report.start:%Y%m}-{report.end:%Y%m}.xlsx"
    return _xlsx(report_workbook(report, with_departments=True), name)


@login_required
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    """The credit office asks for a refresh: it is enqueued for a worker, the page shows its progress."""
    access.require(request.user, access.REFRESH_STATISTICS)
    if services.request_refresh(full=request.POST.get("full") == "1"):
        messages.success(request, _("已提交重新统计任务，由后台执行；本页显示进度，完成后数据随之更新。"))
    else:
        messages.info(request, _("重新统计任务已在排队或进行中，请稍后刷新本页查看。"))
    return redirect("statistics:internal")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response
