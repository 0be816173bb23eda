"""Indicator pages: the monitoring dashboard, a subject's series, a value with what is behind it, warnings,
entering and importing values, the rules, debt (K5) and the public page. Thin: scope from the selectors,
rules from the services."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.errors import DomainError
from govcredit.core.paging import paginate
from govcredit.core.tables import Column, Table, wants_xlsx, xlsx_response
from govcredit.subjects.models import Organization

from . import dashboard as board
from . import registry, services
from .forms import ImportForm, RuleForm, ValueForm
from .levels import LEVEL_COLOURS, LEVEL_KEYS
from .models import NO_VALUE, Assessment, Indicator, IndicatorValue, Level, Origin, Source, WarningStatus
from .selectors import (
    public_indicators,
    visible_assessments,
    visible_subjects,
    visible_values,
    visible_warnings,
)


def _level_names() -> dict[str, str]:
    return {"none": _("无数据"), "green": _("绿色"), "yellow": _("黄色"), "orange": _("橙色"), "red": _("红色")}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse | FileResponse:
    """/indicators/ — 区域政务诚信监测: the subjects the user may see, their levels, trend and movers."""
    access.require(request.user, access.READ_INDICATORS)
    if wants_xlsx(request):
        return _grid_xlsx(request)
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    d = board.build(visible_subjects(request.user), visible_assessments(request.user), visible_warnings(request.user),
                    page=page)
    names = _level_names()
    chart = {"trend": d.trend, "map": {name: LEVEL_KEYS[lv] for name, lv in d.map_levels.items()},
             "labels": names, "colours": {LEVEL_KEYS[k]: v for k, v in LEVEL_COLOURS.items()},
             "title_trend": _("各月预警数（按等级）")}
    return render(request, "indicators/dashboard.html", {
        "d": d, "chart": chart, "levels": [(LEVEL_KEYS[lv], names[LEVEL_KEYS[lv]], d.level_counts[lv])
                                           for lv in (3, 2, 1, 0, NO_VALUE)],
        "warning_levels": [(lv, LEVEL_KEYS[lv], names[LEVEL_KEYS[lv]], d.warning_counts[lv]) for lv in (3, 2, 1)],
        "level_names": names, "geojson": "indicators/nanjing_districts.geojson",
    })


def _grid_xlsx(request: HttpRequest) -> FileResponse:
    """/indicators/?format=xlsx — the subject × indicator grid of the latest month (every subject the user may
    see, not one page), through ``core.tables``: a row per subject, its worst level, a column per indicator."""
    assessments = visible_assessments(request.user)
    month = board.latest_month(assessments)
    indicators = list(Indicator.objects.filter(rule__isnull=False).order_by("order", "code"))
    cells: dict[tuple[int, int], tuple[Any, int]] = {}
    if month is not None:
        for sid, iid, level, amount in assessments.filter(period=month).values_list(
                "subject_id", "indicator_id", "level", "number"):
            cells[(sid, iid)] = (amount, level)
    names = _level_names()

    def worst(org: Organization) -> str:
        levels = [cells[(org.pk, i.pk)][1] for i in indicators if (org.pk, i.pk) in cells]
        return names[LEVEL_KEYS[max(levels, default=NO_VALUE)]]

    def number(pk: int) -> Any:
        return lambda org: cells.get((org.pk, pk), (None, NO_VALUE))[0]

    columns: list[Column[Organization]] = [
        Column(_("主体"), lambda org: org.name), Column(_("统一社会信用代码"), lambda org: org.credit_code),
        Column(_("期间"), lambda org: f"{month:%Y-%m}" if month else ""), Column(_("等级"), worst),
        *(Column(f"{ind.name}（{ind.unit}）", number(ind.pk)) for ind in indicators)]
    table: Table[Organization] = Table(columns, default="path", extra_sorts={"path": ("region_code", "path")})
    return xlsx_response(request, table, visible_subjects(request.user), title=_("主体与指标"), filename="indicators")


@login_required
def subject(request: HttpRequest, pk: int) -> HttpResponse:
    """/indicators/subjects/<id>/ — one subject's 12 months per indicator (404 outside the user's scope)."""
    access.require(request.user, access.READ_INDICATORS)
    org = get_object_or_404(visible_subjects(request.user), pk=pk)
    month = board.latest_month(visible_assessments(request.user).filter(subject=org)) or registry.month_start(
        clock.today())
    months = registry.months_back(month, 12)
    values = (visible_values(request.user).filter(subject=org, is_current=True, period__in=months)
              .select_related("indicator"))
    levels = {(a.indicator_id, a.period): a.level for a in Assessment.objects.filter(subject=org, period__in=months)}
    grid: dict[int, dict[dt.date, Any]] = defaultdict(dict)
    for v in values:
        grid[v.indicator_id][v.period] = (v, LEVEL_KEYS[levels.get((v.indicator_id, v.period), NO_VALUE)])
    rows = [(ind, [grid[ind.pk].get(m) for m in months]) for ind in Indicator.objects.all() if ind.pk in grid]
    return render(request, "indicators/subject.html", {
        "org": org, "months": months, "rows": rows, "level_names": _level_names(),
        "warnings": visible_warnings(request.user).filter(subject=org, status=WarningStatus.OPEN)
        .select_related("indicator"),
    })


def _behind(value: IndicatorValue) -> list[dict[str, str]]:
    comp = registry.computation(value.indicator.code)
    if comp is None or value.source != Source.COMPUTATION:
        return []
    out = []
    for b in comp.records(value.subject, value.period):
        try:
            url = reverse(b.url_name, args=b.args) if b.url_name else ""
        except NoReverseMatch:
            url = ""
        out.append({"label": b.label, "url": url})
    return out


@login_required
def value(request: HttpRequest, pk: int) -> HttpResponse:
    """/indicators/values/<id>/ — one value: its versions, source and inputs, and the records behind it."""
    access.require(request.user, access.READ_INDICATORS)
    v = get_object_or_404(visible_values(request.user).select_related("indicator", "subject"), pk=pk)
    versions = IndicatorValue.objects.filter(indicator=v.indicator, subject=v.subject, period=v.period).order_by(
        "-version")
    assessment = Assessment.objects.filter(value=v).select_related("rule_version").first()
    return render(request, "indicators/value.html", {
        "v": v, "versions": versions, "behind": _behind(v), "assessment": assessment,
        "level_key": LEVEL_KEYS[assessment.level] if assessment else "none", "level_names": _level_names(),
        "can_enter": v.indicator.origin == Origin.ENTERED
        and access.can_enter_indicator_for(request.user, v.subject),
    })


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.READ_INDICATORS)
    status = request.GET.get("status", WarningStatus.OPEN)
    qs = visible_warnings(request.user).select_related("subject", "indicator", "case").order_by(
        "-level", "subject__path", "indicator__order", "pk")
    if status in WarningStatus.values:
        qs = qs.filter(status=status)
    level = request.GET.get("level")
    if level in ("1", "2", "3"):
        qs = qs.filter(level=int(level))
    return render(request, "indicators/warning_list.html", {
        **paginate(request, qs), "status": status, "statuses": WarningStatus.choices, "level_keys": LEVEL_KEYS,
    })


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.READ_INDICATORS)
    w = get_object_or_404(visible_warnings(request.user).select_related(
        "subject", "indicator", "rule_version", "value", "case"), pk=pk)
    return render(request, "indicators/warning_detail.html", {
        "w": w, "level_key": LEVEL_KEYS[w.level], "e": w.explanation, "behind": _behind(w.value),
    })


@login_required
def enter(request: HttpRequest) -> HttpResponse:
    """/indicators/enter/ — one value on a form (a correction needs its reason)."""
    access.require(request.user, access.ENTER_INDICATORS)
    subjects = visible_subjects(request.user)
    form = ValueForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_value(form.cleaned_data["indicator"], form.cleaned_data["subject"],
                                          form.cleaned_data["period"], form.cleaned_data["value"],
                                          actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            if saved is None:
                messages.info(request, _("数值与现行版本相同，未作变更"))
                return redirect("indicators:enter")
            messages.success(request, _("已保存"))
            return redirect("indicators:value", pk=saved.pk)
    return render(request, "indicators/enter.html", {"form": form})


@login_required
def import_file(request: HttpRequest) -> HttpResponse:
    """/indicators/import/ — an XLSX of values; each row saved or refused with its reason."""
    access.require(request.user, access.ENTER_INDICATORS)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_values(upload.read(), upload.name, actor=request.user,  # type: ignore[arg-type]
                                            may_enter=lambda org: access.can_enter_indicator_for(request.user, org))
        except DomainError as exc:
            form.add_error("file", str(exc))
    return render(request, "indicators/import.html", {"form": form, "result": result,
                                                       "columns": services.IMPORT_COLUMNS})


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """/indicators/rules/ — each rule's versions with their lines and source documents."""
    access.require(request.user, access.READ_INDICATORS)
    inds = Indicator.objects.filter(rule__isnull=False).prefetch_related("rule__versions").order_by("order")
    can_manage = access.has(request.user, access.MANAGE_WARNING_RULES)
    return render(request, "indicators/rules.html", {
        "indicators": inds, "can_manage": can_manage, "form": RuleForm() if can_manage else None,
    })


@login_required
@require_POST
def publish_rule(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, access.MANAGE_WARNING_RULES)
    indicator = get_object_or_404(Indicator.objects.filter(rule__isnull=False), pk=pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        raise DomainError("; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()))
    c = form.cleaned_data
    version = services.publish_rule_version(indicator, direction=c["direction"], yellow=c["yellow"],
                                            orange=c["orange"], red=c["red"], watch_line=c["watch_line"],
                                            source_document=c["source_document"],
                                            secondary_source=c["secondary_source"],
                                            actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已发布第 %(n)s 版") % {"n": version.version})
    return redirect("indicators:rules")


def _debt_rows(subjects: Any, assessments: Any) -> tuple[dt.date | None, list[dict[str, Any]]]:
    codes = services.DEBT_CODES
    inds = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    districts = [o for o in subjects if board.is_district(o)]
    month = board.latest_month(assessments.filter(indicator__code="debt_ratio"))
    found: dict[tuple[int, str], Any] = {}
    if month is not None:
        for a in assessments.filter(period=month, indicator__code__in=codes).select_related("indicator"):
            found[(a.subject_id, a.indicator.code)] = a
    rows = []
    for org in districts:
        cells = [found.get((org.pk, c)) for c in codes]
        lv = {c: a.level for c in codes if (a := found.get((org.pk, c))) is not None}
        grade = services.rating(lv)
        rows.append({"org": org, "cells": [(a, LEVEL_KEYS[a.level] if a else "none") for a in cells],
                     "rating": grade, "rating_name": services.RATING_NAMES[grade]})
    return month, [{"indicators": [inds.get(c) for c in codes]}, *rows]


@login_required
def debt(request: HttpRequest) -> HttpResponse:
    """/indicators/debt/ — K5: each district's debt figures, levels and rating."""
    access.require(request.user, access.READ_INDICATORS)
    month, rows = _debt_rows(visible_subjects(request.user), visible_assessments(request.user))
    rules_ = {v.rule.indicator.code: v for v in services.current_rule_versions().values()
              if v.rule.indicator.code in services.RATED}
    return render(request, "indicators/debt.html", {"month": month, "head": rows[0]["indicators"], "rows": rows[1:],
                                                     "rules": rules_.values()})


@login_required
def debt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """/indicators/debt/<id>/ — one district's debt series and each leader's tenure (post history)."""
    access.require(request.user, access.READ_INDICATORS)
    org = get_object_or_404(visible_subjects(request.user), pk=pk)
    if not board.is_district(org):
        raise Http404
    values = (visible_values(request.user).filter(subject=org, is_current=True, indicator__group="债务")
              .select_related("indicator").order_by("-period", "indicator__order")[:240])
    tenure = access.has(request.user, access.READ_DEBT_TENURES)
    return render(request, "indicators/debt_detail.html", {
        "org": org, "values": values, "tenures": services.tenures(org) if tenure else None,
    })


@login_required
def tenure(request: HttpRequest, pk: int) -> HttpResponse:
    """/indicators/debt/<id>/tenure/ — for the personnel office and the credit office (audits)."""
    access.require(request.user, access.READ_DEBT_TENURES)
    org = get_object_or_404(visible_subjects(request.user) if access.indicator_scope(request.user) is not None
                            else Organization.objects.filter(depth=1), pk=pk)
    return render(request, "indicators/tenure.html", {"org": org, "tenures": services.tenures(org)})


def public(request: HttpRequest) -> HttpResponse:
    """/portal/indicators/ — the indicators the disclosure rule allows, per district, latest month; no login."""
    inds = list(public_indicators().filter(rule__isnull=False).order_by("order"))
    districts = [o for o in Organization.objects.filter(depth=1, is_active=True).order_by("region_code")
                 if board.is_district(o)]
    month = board.latest_month(Assessment.objects.filter(indicator__in=inds))
    found = {}
    if month is not None:
        found = {(a.subject_id, a.indicator_id): a for a in Assessment.objects.filter(
            period=month, indicator__in=inds, subject__in=districts)}
    rows = [(o, [(found.get((o.pk, i.pk)), LEVEL_KEYS[found[(o.pk, i.pk)].level] if (o.pk, i.pk) in found else "none")
                 for i in inds]) for o in districts]
    return render(request, "indicators/public.html", {"indicators": inds, "rows": rows, "month": month,
                                                       "level_names": _level_names(), "Level": Level})
