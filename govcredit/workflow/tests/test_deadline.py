"""Due dates count the State Council calendar's working days (over the 2026 National Day holiday and its
make-up Saturday), or calendar days for a kind that says so."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from govcredit.testing import City, on_day
from govcredit.workflow import kinds, services

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 30)))
def test_working_days_skip_the_national_day_holiday(city: City) -> None:
    three = kinds.register(dataclasses.replace(SAMPLE, code="test.three", days=3))
    try:
        case = services.open_case(three.code, debtor_org=city.orgs["xuanwu"], owed_to="公众", basis_text="x",
                                  reason="立案")
    finally:
        kinds.unregister(three.code)
    # 10/1–10/7 are off; 10/8 and 10/9 are working days, and so is Saturday 10/10 (a make-up day).
    assert (case.opened_on, case.due_on) == (dt.date(2026, 9, 30), dt.date(2026, 10, 10))


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 30)))
def test_calendar_days_do_not(city: City) -> None:
    three = kinds.register(dataclasses.replace(SAMPLE, code="test.calendar", days=3, working_days=False))
    try:
        case = services.open_case(three.code, debtor_org=city.orgs["xuanwu"], owed_to="公众", basis_text="x",
                                  reason="立案")
    finally:
        kinds.unregister(three.code)
    assert case.due_on == dt.date(2026, 10, 3)


def test_shift_counts_backwards_over_the_spring_festival() -> None:
    # 2/15–2/23 are off and Saturday 2/14 is a make-up working day: one working day before 2/24 is 2/14.
    assert services.shift(SAMPLE, dt.date(2026, 2, 24), -1) == dt.date(2026, 2, 14)
