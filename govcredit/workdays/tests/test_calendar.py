"""Working days from the chinesecalendar package, and the Monday–Friday fallback for missing years.

Every dated fact below was checked against ``chinese_calendar.is_workday`` (1.11.0).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from pytest_django import DjangoAssertNumQueries, Settings

from govcredit.workdays import services
from govcredit.workdays.services import add_workdays, is_workday, missing_years, workdays_between

pytestmark = pytest.mark.django_db

WARNING_2027 = "2027年的节假日安排尚未录入，已按周一至周五计算"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 2, 4), True),  # Sunday, 调休上班 (春节)
        (date(2024, 2, 18), True),  # Sunday, 调休上班 (春节)
        (date(2024, 2, 12), False),  # Monday in 春节
        (date(2025, 1, 26), True),  # Sunday, 调休上班 (春节)
        (date(2025, 2, 8), True),  # Saturday, 调休上班 (春节)
        (date(2025, 10, 8), False),  # Wednesday in 国庆/中秋
        (date(2025, 10, 11), True),  # Saturday, 调休上班
        (date(2026, 1, 1), False),  # Thursday, 元旦
        (date(2026, 1, 4), True),  # Sunday, 调休上班 (元旦)
        (date(2026, 2, 14), True),  # Saturday, 调休上班 (春节)
        (date(2026, 2, 16), False),  # Monday in 春节
        (date(2026, 10, 10), True),  # Saturday, 调休上班 (国庆)
        (date(2024, 6, 3), True),  # ordinary Monday
        (date(2024, 6, 1), False),  # ordinary Saturday
    ],
)
def test_known_days(day: date, expected: bool) -> None:
    assert chinese_calendar.is_workday(day) is expected  # the fact itself, from the package
    assert is_workday(day) is expected


def test_national_day_2024_is_a_holiday_week() -> None:
    for offset in range(7):
        assert not is_workday(date(2024, 10, 1) + timedelta(days=offset))
    assert is_workday(date(2024, 10, 8))


def test_agrees_with_package_on_every_supported_day() -> None:
    d = date(services.PACKAGE_FIRST_YEAR, 1, 1)
    while d.year <= services.PACKAGE_LAST_YEAR:
        assert is_workday(d) is chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_holiday_names_are_chinese() -> None:
    cal = services.year_calendar(2025)
    assert cal.source == "package"
    assert cal.holiday_name(date(2025, 10, 1)) == "国庆节"
    assert cal.holiday_name(date(2025, 1, 26)) == "春节"
    assert cal.holiday_name(date(2025, 6, 10)) is None


def test_add_workdays_across_national_day_2025() -> None:
    # 9-29, 9-30, (10-1..10-8 off), 10-9, 10-10, 10-11 (Sat, 调休), 10-13, 10-14
    deadline = add_workdays(date(2025, 9, 28), 7)
    assert deadline == services.Deadline(date(2025, 10, 14), (), False)
    assert add_workdays(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    assert add_workdays(date(2024, 9, 30), 1).date == date(2024, 10, 8)


def test_add_workdays_zero_and_negative() -> None:
    assert add_workdays(date(2025, 10, 9), 0).date == date(2025, 10, 9)  # workday: itself
    assert add_workdays(date(2025, 10, 1), 0).date == date(2025, 10, 9)  # holiday: next workday
    assert add_workdays(date(2025, 10, 12), 0).date == date(2025, 10, 13)  # Sunday
    assert add_workdays(date(2025, 10, 9), -1).date == date(2025, 9, 30)
    assert add_workdays(date(2025, 10, 14), -7).date == date(2025, 9, 28)  # Sunday, but 调休上班


def test_workdays_between() -> None:
    result = workdays_between(date(2025, 9, 30), date(2025, 10, 10))
    assert result == services.WorkdayCount(2, (), False)  # 10-9 and 10-10
    assert workdays_between(date(2025, 10, 10), date(2025, 10, 10)).days == 0
    assert workdays_between(date(2025, 10, 10), date(2025, 9, 30)).days == -2


def test_add_and_between_are_inverse() -> None:
    start = date(2023, 12, 20)
    for n in range(1, 400, 7):
        end = add_workdays(start, n).date
        assert is_workday(end)
        assert workdays_between(start, end).days == n
        assert add_workdays(end, -n).date <= start


def _walk(start: date, n: int) -> date:
    """Reference implementation: step day by day."""
    step = timedelta(days=1 if n >= 0 else -1)
    d, remaining = start, abs(n)
    if n == 0:
        while not is_workday(d):
            d += step
        return d
    while remaining:
        d += step
        remaining -= is_workday(d)
    return d


@pytest.mark.parametrize("n", [0, 1, 2, 5, 15, 30, 250, 300, -1, -5, -15, -300])
def test_add_workdays_matches_day_by_day_walk(n: int) -> None:
    start = date(2025, 12, 20)
    for offset in range(0, 800, 11):  # into 2027 and 2028 (missing years)
        day = start + timedelta(days=offset)
        assert add_workdays(day, n).date == _walk(day, n), (day, n)


def test_missing_year_falls_back_to_monday_to_friday_with_warning() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))

    assert is_workday(date(2027, 1, 1))  # a Friday
    assert not is_workday(date(2027, 1, 2))  # a Saturday
    deadline = add_workdays(date(2026, 12, 31), 1)
    assert deadline.date == date(2027, 1, 1)
    assert deadline.estimated
    assert deadline.warnings == (WARNING_2027,)
    count = workdays_between(date(2026, 12, 30), date(2027, 1, 8))
    assert count.days == 7  # 2026-12-31, then 2027-01-01 and 01-04..01-08 (Mon–Fri only)
    assert count.warnings == (WARNING_2027,) and count.estimated


def test_warning_only_for_examined_years() -> None:
    # The days examined all lie in 2026, so nothing is estimated.
    assert add_workdays(date(2026, 12, 28), 3) == services.Deadline(date(2026, 12, 31))
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 1)).warnings == (WARNING_2027,)
    assert workdays_between(date(2026, 12, 30), date(2026, 12, 31)).warnings == ()


def test_several_missing_years_are_all_named() -> None:
    deadline = add_workdays(date(2026, 12, 1), 400)
    assert deadline.warnings == (WARNING_2027, "2028年的节假日安排尚未录入，已按周一至周五计算")
    assert missing_years(date(2025, 6, 1), date(2028, 1, 1)) == [2027, 2028]
    assert missing_years(date(2028, 1, 1), date(2025, 6, 1)) == [2027, 2028]
    assert missing_years(date(2003, 1, 1), date(2004, 1, 1)) == [2003]
    assert missing_years(date(2024, 1, 1), date(2026, 12, 31)) == []


def test_datetime_is_rejected() -> None:
    with pytest.raises(TypeError):
        is_workday(datetime(2024, 10, 1, 9, 0))  # noqa: DTZ001


def test_cache_expires_after_configured_seconds(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WORKDAYS_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr("govcredit.workdays.calendars.time.monotonic", lambda: clock[0])
    first = services.year_calendar(2027)
    assert services.year_calendar(2027) is first
    clock[0] += 61
    assert services.year_calendar(2027) is not first


def test_one_query_per_year(django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    start = date(2024, 1, 1)
    with django_assert_max_num_queries(4):  # 2024–2027 at most once each
        for offset in range(0, 3 * 365, 3):
            add_workdays(start + timedelta(days=offset), 10)
            workdays_between(start, start + timedelta(days=offset))
