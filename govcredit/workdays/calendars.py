"""Working days (工作日) under the State Council holiday schedule: the per-year calendars and the questions asked of them.

Sources, per calendar year, in order of precedence:

1. a :class:`~govcredit.workdays.models.YearSchedule` entered by the credit office;
2. the ``chinesecalendar`` package (1.11 covers 2004–2026 and raises ``NotImplementedError``
   outside that range; we read its tables directly and never call it for an unsupported year);
3. nothing: the year is *missing*, Monday–Friday count as working days, and every result that
   touched the year carries a warning such as "2027年的节假日安排尚未录入，已按周一至周五计算"
   and ``estimated=True``. Nothing raises because of a missing year.

Each year is loaded once into a :class:`YearCalendar` (one database query) and kept in process
memory; the cache is cleared by the model signals and by the import service. Other processes
(task worker, other web workers) cannot receive those signals, so an entry also expires after
``settings.WORKDAYS_CACHE_SECONDS`` (default 300 s; 0 = never) to let them pick up a new schedule.
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal

import chinese_calendar
from django.conf import settings
from django.db import transaction

from .models import ScheduleDay, YearSchedule

HOLIDAY = ScheduleDay.Kind.HOLIDAY.value
WORKDAY = ScheduleDay.Kind.WORKDAY.value

Source = Literal["schedule", "package", "missing"]

_ONE_DAY = timedelta(days=1)
_DEFAULT_CACHE_SECONDS = 300

# The package raises for any year outside the range of its holiday table; mirror its own check.
PACKAGE_FIRST_YEAR: int = min(d.year for d in chinese_calendar.holidays)
PACKAGE_LAST_YEAR: int = max(d.year for d in chinese_calendar.holidays)
_PACKAGE_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


def missing_year_warning(year: int) -> str:
    return f"{year}年的节假日安排尚未录入，已按周一至周五计算"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Deadline:
    """A deadline date; ``estimated`` when a year without a schedule was involved."""

    date: date
    warnings: tuple[str, ...] = ()
    estimated: bool = False


@dataclass(frozen=True)
class WorkdayCount:
    """A number of working days; ``estimated`` when a year without a schedule was involved."""

    days: int
    warnings: tuple[str, ...] = ()
    estimated: bool = False


def _warnings_for(missing: Iterable[int]) -> tuple[tuple[str, ...], bool]:
    years = sorted(set(missing))
    return tuple(missing_year_warning(y) for y in years), bool(years)


# --------------------------------------------------------------------------- per-year calendars


@dataclass(frozen=True, eq=False)
class YearCalendar:
    """The exceptions to "Monday–Friday work" for one year, and the resulting working days.

    ``holidays`` are the days off of the holiday periods (they may include weekend days, as in the
    package's table), ``workdays`` the weekend days that are working days (调休上班日).
    ``working_ordinals`` lists every working day of the year as ``date.toordinal()``, ascending, so
    that adding or counting working days is a binary search instead of a walk over the days.
    """

    year: int
    source: Source
    holidays: frozenset[date]
    workdays: frozenset[date]
    names: Mapping[date, str]
    working_ordinals: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        first, last = date(self.year, 1, 1).toordinal(), date(self.year, 12, 31).toordinal()
        working = tuple(o for o in range(first, last + 1) if self.is_workday(date.fromordinal(o)))
        object.__setattr__(self, "working_ordinals", working)

    @property
    def missing(self) -> bool:
        return self.source == "missing"

    def is_workday(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)

    def holiday_name(self, d: date) -> str | None:
        """Chinese name of the holiday period ``d`` belongs to (as day off or make-up day)."""
        return self.names.get(d)


@functools.cache
def _package_calendar(year: int) -> YearCalendar | None:
    if not PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR:
        return None
    names: dict[date, str] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    for table, target in ((chinese_calendar.holidays, holidays), (chinese_calendar.workdays, workdays)):
        for d, english in table.items():
            if d.year == year:
                target.add(d)
                names[d] = _PACKAGE_CHINESE_NAMES.get(english, english)
    return YearCalendar(year, "package", frozenset(holidays), frozenset(workdays), MappingProxyType(names))


def _load_calendar(year: int) -> YearCalendar:
    # One query: a LEFT JOIN gives one row per day, or a single all-NULL row for an empty schedule,
    # or no row at all when the office has not entered the year.
    rows = list(YearSchedule.objects.filter(year=year).values_list("days__date", "days__kind", "days__name"))
    if rows:
        holidays: set[date] = set()
        workdays: set[date] = set()
        names: dict[date, str] = {}
        for d, kind, name in rows:
            if d is None:
                continue
            (workdays if kind == WORKDAY else holidays).add(d)
            if name:
                names[d] = name
        return YearCalendar(
            year, "schedule", frozenset(holidays), frozenset(workdays), MappingProxyType(names)
        )
    package = _package_calendar(year)
    if package is not None:
        return package
    return YearCalendar(year, "missing", frozenset(), frozenset(), MappingProxyType({}))


@functools.lru_cache(maxsize=512)
def _cached_calendar(year: int, bucket: int) -> YearCalendar:
    return _load_calendar(year)


@functools.cache
def _cache_seconds() -> float:
    # Cached because settings.__getattr__ of an unset name raises internally on every call, which
    # dominated the cost of a deadline; reset by the setting_changed signal (override_settings).
    return float(getattr(settings, "WORKDAYS_CACHE_SECONDS", _DEFAULT_CACHE_SECONDS) or 0)


def year_calendar(year: int) -> YearCalendar:
    """The (cached) calendar of ``year``; loading it costs one query per year and process."""
    seconds = _cache_seconds()
    return _cached_calendar(year, int(time.monotonic() // seconds) if seconds else 0)


def clear_cache() -> None:
    """Forget every loaded year in this process."""
    _cached_calendar.cache_clear()
    _cache_seconds.cache_clear()


def clear_cache_on_change() -> None:
    """Clear now (for this transaction) and again after commit.

    Clearing only now would let another thread reload the old rows before our commit and keep
    them; clearing only after commit would leave this transaction with stale data.
    """
    clear_cache()
    transaction.on_commit(clear_cache)


# --------------------------------------------------------------------------- queries


def _as_date(value: date) -> date:
    # datetime is a subclass of date but never equal to one: it would silently miss every holiday.
    if isinstance(value, datetime):
        raise TypeError("请传入 date 而不是 datetime（可用 django.utils.clock.today() 转换）")
    if not isinstance(value, date):
        raise TypeError(f"需要 datetime.date，得到 {type(value).__name__}")
    return value


def is_workday(d: date) -> bool:
    """Whether ``d`` is a working day. For a missing year: Monday–Friday (no warning here)."""
    d = _as_date(d)
    return year_calendar(d.year).is_workday(d)


def is_missing_year(year: int) -> bool:
    return year_calendar(year).missing


def missing_years(start: date, end: date) -> list[int]:
    """Years between ``start`` and ``end`` (inclusive, either order) that have no schedule at all."""
    start, end = sorted((_as_date(start), _as_date(end)))
    return [y for y in range(start.year, end.year + 1) if year_calendar(y).missing]


def _missing_between(first: date, last: date) -> tuple[tuple[str, ...], bool]:
    """Warnings for the years without a schedule among the examined days ``first``..``last``."""
    lo, hi = sorted((first.year, last.year))
    return _warnings_for(y for y in range(lo, hi + 1) if year_calendar(y).missing)


def add_workdays(start: date, n: int) -> Deadline:
    """The ``n``-th working day after ``start``; ``start`` itself is never counted.

    ``n=0`` returns ``start`` when it is a working day, otherwise the next working day (a deadline
    "on receipt" that falls on a holiday moves to the next working day). A negative ``n`` counts
    backwards (the ``|n|``-th working day before ``start``). The warnings name every year without a
    schedule among the days that were examined.
    """
    start = _as_date(start)
    if not isinstance(n, int):
        raise TypeError("n 必须是整数")
    if n == 0:
        if is_workday(start):
            return Deadline(start, *_missing_between(start, start))
        first, n = start, 1
        ordinal = start.toordinal() - 1  # so that start itself is examined
    else:
        first = start + (_ONE_DAY if n > 0 else -_ONE_DAY)
        ordinal = start.toordinal()
    year, remaining = start.year, abs(n)
    while True:
        working = year_calendar(year).working_ordinals
        if n > 0:
            i = bisect_right(working, ordinal)  # first working day after `ordinal`
            if remaining <= len(working) - i:
                found = working[i + remaining - 1]
                break
            remaining -= len(working) - i
            year += 1
        else:
            i = bisect_left(working, ordinal)  # number of working days before `ordinal`
            if remaining <= i:
                found = working[i - remaining]
                break
            remaining -= i
            year -= 1
    result = date.fromordinal(found)
    return Deadline(result, *_missing_between(first, result))


def workdays_between(start: date, end: date) -> WorkdayCount:
    """Working days after ``start`` up to and including ``end``.

    So ``workdays_between(s, add_workdays(s, n).date).days == n`` for ``n > 0``. The same day gives
    0 (no warning); ``end`` before ``start`` gives the negated count of the reversed range.
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        result = workdays_between(end, start)
        return WorkdayCount(-result.days, result.warnings, result.estimated)
    if end == start:
        return WorkdayCount(0)
    low, high = start.toordinal(), end.toordinal()
    count = 0
    for year in range(start.year, end.year + 1):
        working = year_calendar(year).working_ordinals
        count += bisect_right(working, high) - bisect_right(working, low)
    return WorkdayCount(count, *_missing_between(start + _ONE_DAY, end))
