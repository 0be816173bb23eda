"""Overdue payments to SMEs as indicators (issue 15 reads them from this app): counted at each month's end
for the owing organisation's district, settled or non-SME obligations left out, drill-down to the obligation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from govcredit.indicators import registry, services
from govcredit.indicators.models import IndicatorValue
from govcredit.obligations.services import fulfil_obligation, mark_obligations
from govcredit.obligations.tests.helpers import owe
from govcredit.testing import City, on_day

DAY = dt.date(2026, 3, 16)


@pytest.mark.time_machine(on_day(DAY))
def test_overdue_sme_payments_are_counted_for_the_district_at_month_end(city: City) -> None:
    services.load_defaults()
    xinjiekou = city.orgs["xinjiekou"]  # in 玄武区
    late = owe(xinjiekou, dt.date(2026, 1, 20), amount="300000")
    owe(xinjiekou, dt.date(2026, 1, 25), amount="50000", sme=False)  # not an SME: not this indicator
    paid = owe(xinjiekou, dt.date(2026, 1, 10), amount="20000")
    mark_obligations(dt.date(2026, 2, 1))
    fulfil_obligation(paid, on=dt.date(2026, 2, 20), actor="test")  # settled in February

    services.compute([dt.date(2026, 1, 1), dt.date(2026, 2, 1)], ["overdue_payments", "overdue_payment_amount"])
    got = {(v.indicator.code, v.period): v.value for v in
           IndicatorValue.objects.filter(subject=city.orgs["xuanwu"], is_current=True).select_related("indicator")}
    assert got[("overdue_payments", dt.date(2026, 1, 1))] == 2  # both SME payments overdue at the end of January
    assert got[("overdue_payments", dt.date(2026, 2, 1))] == 1  # one settled in February
    assert got[("overdue_payment_amount", dt.date(2026, 2, 1))] == Decimal(30)  # 300,000 元 = 30 万元
    assert IndicatorValue.objects.get(subject=city.orgs["qinhuai"], indicator__code="overdue_payments",
                                      period=dt.date(2026, 2, 1), is_current=True).value == 0
    computation = registry.computation("overdue_payments")
    assert computation is not None
    behind = computation.records(city.orgs["xuanwu"], dt.date(2026, 2, 1))
    assert [b.args for b in behind] == [(late.pk,)]
