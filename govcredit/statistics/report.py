"""The figures of a period: per month, department and district, with rankings (what pages, exports and the
API show; definitions: :mod:`govcredit.statistics.services`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from govcredit.core import clock
from govcredit.subjects.models import Organization
from govcredit.workdays import services as workdays

from .counting import COUNTS, grouped_counts, summary_counts
from .models import DecisionFact, RefreshState

CITY_LEVEL = "市本级"


@dataclass
class Counts:
    total: int = 0
    complete: int = 0
    due: int = 0
    on_time: int = 0
    late_published: int = 0
    overdue_unpublished: int = 0
    pending: int = 0
    workdays_sum: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def published(self) -> int:
        return self.on_time + self.late_published

    @property
    def settled(self) -> int:
        return self.on_time + self.late_published + self.overdue_unpublished

    @property
    def late(self) -> int:
        return self.late_published + self.overdue_unpublished

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def publication_rate(self) -> float | None:
        return self.published / self.settled if self.settled else None

    @property
    def completeness_rate(self) -> float | None:
        return self.complete / self.total if self.total else None

    @property
    def avg_workdays(self) -> float | None:
        return self.workdays_sum / self.published if self.published else None

    @property
    def below_target(self) -> bool:
        """Missing the 100% target on timeliness or completeness."""
        return any(r is not None and r < 1 for r in (self.on_time_rate, self.completeness_rate))


@dataclass
class MonthRow:
    month: dt.date
    counts: Counts

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class OrgRow:
    org_id: int
    name: str
    district: str
    counts: Counts
    rank: int = 0


@dataclass
class AreaRow:
    name: str
    counts: Counts
    rank: int = 0


@dataclass
class Report:
    start: dt.date
    end: dt.date
    today: dt.date
    months: list[MonthRow]
    departments: list[OrgRow]
    districts: list[AreaRow]
    total: Counts
    warnings: list[str] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None
    scope_label: str = "全市"
    org_months: dict[tuple[int, dt.date], Counts] = field(default_factory=dict)
    area_months: dict[tuple[str, dt.date], Counts] = field(default_factory=dict)

    def department_months(self) -> list[tuple[OrgRow, MonthRow]]:
        """Every department's figures per month (months without decisions left out), in ranking order."""
        return [(d, MonthRow(m.month, self.org_months[(d.org_id, m.month)])) for d in self.departments
                for m in self.months if (d.org_id, m.month) in self.org_months]

    def district_matrix(self) -> list[tuple[str, list[Counts]]]:
        """Each district's figures for each month of the period (empty Counts where it had none)."""
        return [(a.name, [self.area_months.get((a.name, m.month), Counts()) for m in self.months])
                for a in self.districts]

    @property
    def below_target(self) -> list[OrgRow]:
        return [d for d in self.departments if d.counts.below_target]

    def chart(self) -> dict[str, Any]:
        """Series for the ECharts trend chart (percentages, None where a month has no figure)."""
        return {
            "months": [m.label for m in self.months],
            "on_time": [pct(m.counts.on_time_rate) for m in self.months],
            "completeness": [pct(m.counts.completeness_rate) for m in self.months],
            "publication": [pct(m.counts.publication_rate) for m in self.months],
            "totals": [m.counts.total for m in self.months],
            "target": 100,
        }

    def ranking_chart(self, limit: int = 30) -> dict[str, Any]:
        rows = self.departments[:limit]
        return {
            "names": [r.name for r in rows],
            "on_time": [pct(r.counts.on_time_rate) for r in rows],
            "completeness": [pct(r.counts.completeness_rate) for r in rows],
            "target": 100,
        }


def pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    m0 = month.month - 1 + n
    return dt.date(month.year + m0 // 12, m0 % 12 + 1, 1)


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], month_start(start)
    while m <= end:
        months.append(m)
        m = add_months(m, 1)
    return months


def org_labels(org_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Organisation id → (name, district name) with the district rule of this module."""
    orgs = list(Organization.objects.filter(pk__in=set(org_ids)).values("id", "name", "path"))
    chains = {o["id"]: [c for c in o["path"].split("/") if c] for o in orgs}
    codes = {c for chain in chains.values() for c in chain[:2]}
    ancestors = {a["credit_code"]: a for a in Organization.objects.filter(credit_code__in=codes)
                 .values("credit_code", "name", "region_code")}
    out: dict[int, tuple[str, str]] = {}
    for o in orgs:
        chain = chains[o["id"]]
        district = CITY_LEVEL
        if len(chain) >= 2 and chain[0] in ancestors and chain[1] in ancestors:
            root, area = ancestors[chain[0]], ancestors[chain[1]]
            if area["region_code"] != root["region_code"]:
                district = area["name"]
        out[o["id"]] = (o["name"], district)
    return out


def _rank_key(counts: Counts) -> tuple[float, float, int]:
    return (-(counts.on_time_rate if counts.on_time_rate is not None else -1),
            -(counts.completeness_rate if counts.completeness_rate is not None else -1), -counts.total)


def calendar_warnings(start: dt.date, end: dt.date) -> list[str]:
    """Years of the period (and the next year, where December deadlines spill over) without a holiday schedule."""
    last = end.year + 1 if end.month == 12 else end.year
    return [workdays.missing_year_warning(y) for y in range(start.year, last + 1) if workdays.is_missing_year(y)]


def build_report(scope: Q, start: dt.date, end: dt.date, *, today: dt.date | None = None,
                 scope_label: str = "全市", use_summary: bool = False) -> Report:
    """The figures for the months ``start``..``end`` (any days in them) of the decisions in ``scope``.

    With ``use_summary`` (the pages and the API) the monthly figures are read when they are as of today; the
    ``scope`` must then only filter on ``issuing_org``. Otherwise, or when they are not current, the facts are
    aggregated directly (any scope on the facts, any ``today``).
    """
    current = clock.today()
    today = today or current
    start, end = month_start(start), month_start(end)
    if use_summary and today == current and summary_is_current(today):
        groups = summary_counts(scope, start, end)
    else:
        groups = grouped_counts(DecisionFact.objects.filter(scope, month__gte=start, month__lte=end), today)
    months = {m: Counts() for m in month_range(start, end)}
    by_org: dict[int, Counts] = {}
    org_months: dict[tuple[int, dt.date], Counts] = {}
    total = Counts()
    for row in groups:
        counts = counts_of(row)
        months.setdefault(row["month"], Counts()).add(counts)
        by_org.setdefault(row["issuing_org_id"], Counts()).add(counts)
        org_months[(row["issuing_org_id"], row["month"])] = counts
        total.add(counts)
    labels = org_labels(by_org)
    area_months: dict[tuple[str, dt.date], Counts] = {}
    for (org_id, month), counts in org_months.items():
        area_name = labels.get(org_id, ("", CITY_LEVEL))[1]
        area_months.setdefault((area_name, month), Counts()).add(counts)
    departments = [OrgRow(org_id, *labels.get(org_id, (str(org_id), CITY_LEVEL)), counts)
                   for org_id, counts in by_org.items()]
    departments.sort(key=lambda r: (_rank_key(r.counts), r.name))
    areas: dict[str, Counts] = {}
    for d in departments:
        areas.setdefault(d.district, Counts()).add(d.counts)
    districts = [AreaRow(name, counts) for name, counts in areas.items()]
    districts.sort(key=lambda r: (_rank_key(r.counts), r.name))
    for i, dep in enumerate(departments, start=1):
        dep.rank = i
    for i, area in enumerate(districts, start=1):
        area.rank = i
    warnings = calendar_warnings(start, end)
    estimated = sum(int(row["n_estimated"] or 0) for row in groups)
    if estimated:
        warnings.append(f"其中 {estimated} 条决定的公示期限涉及尚未录入节假日安排的年份，已按周一至周五估算")
    return Report(start=start, end=end, today=today, months=[MonthRow(m, c) for m, c in sorted(months.items())],
                  departments=departments, districts=districts, total=total, warnings=warnings,
                  refreshed_at=refreshed_at(), scope_label=scope_label, org_months=org_months,
                  area_months=area_months)


def default_period(today: dt.date | None = None, months: int = 12) -> tuple[dt.date, dt.date]:
    end = month_start(today or clock.today())
    return add_months(end, -(months - 1)), end





def counts_of(row: dict[str, Any]) -> Counts:
    return Counts(**{name: int(row[f"n_{name}"] or 0) for name in COUNTS})



def summary_is_current(today: dt.date) -> bool:
    state = RefreshState.objects.filter(pk=1).first()
    return state is not None and state.summarised_on == today


def refreshed_at() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).first()
    return state.last_finished if state else None
