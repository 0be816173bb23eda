"""Indicator data for tests of other apps (the access matrix, the English crawl, query counts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from govcredit.core import clock
from govcredit.indicators import registry, services
from govcredit.indicators.models import Indicator, IndicatorValue, IndicatorWarning
from govcredit.testing import City


def add_indicators(city: City, months: int = 3) -> City:
    """Three months of debt values for 玄武区 (red) and 秦淮区 (orange), computed and evaluated; the city gets
    ``ind_value`` and ``ind_warning`` dicts keyed like its organisations."""
    services.load_defaults()
    inds = {i.code: i for i in Indicator.objects.all()}
    periods = registry.months_back(clock.today(), months)
    rows: list[tuple[Indicator, int, dt.date, Decimal | None]] = []
    for month in periods:
        for org, pct in (("xuanwu", 320), ("qinhuai", 210)):
            pk = city.orgs[org].pk
            rows += [(inds["fiscal_capacity"], pk, month, Decimal(1000)),
                     (inds["debt_balance"], pk, month, Decimal(pct * 10)),
                     (inds["complaints"], pk, month, Decimal(2))]
    services.bulk_enter(rows, actor="test")
    services.compute(periods)
    services.evaluate(periods)
    city.ind_value = {o: IndicatorValue.objects.filter(
        subject=city.orgs[o], indicator__code="debt_ratio").latest("period") for o in ("xuanwu", "qinhuai")}
    city.ind_warning = {o: IndicatorWarning.objects.get(
        subject=city.orgs[o], indicator__code="debt_ratio") for o in ("xuanwu", "qinhuai")}
    return city


_serial = iter(range(1, 10_000))


def grow_districts(city: City, n: int) -> None:
    """``n`` more districts, each with two months of red debt values, computed and evaluated (a warning each):
    for the query-count baselines of the dashboard, the warnings, the debt page and the public page."""
    from govcredit.subjects.identifiers import make_credit_code
    from govcredit.subjects.services import register_organization

    services.load_defaults()
    inds = {i.code: i for i in Indicator.objects.filter(code__in=("fiscal_capacity", "debt_balance"))}
    periods = registry.months_back(clock.today(), 2)
    rows: list[tuple[Indicator, int, dt.date, Decimal | None]] = []
    for _ in range(n):
        k = next(_serial)
        org = register_organization(name=f"南京市测试区{k}", credit_code=make_credit_code("11", "320115", f"{7000 + k:09d}"),
                                    org_type="机关", region_code="320115", parent=city.orgs["city"], actor="test")
        for month in periods:
            rows += [(inds["fiscal_capacity"], org.pk, month, Decimal(100)), (inds["debt_balance"], org.pk, month,
                                                                               Decimal(400))]
    services.bulk_enter(rows, actor="test")
    services.compute(periods)
    services.evaluate(periods)
