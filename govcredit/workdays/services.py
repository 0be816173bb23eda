"""Working days (工作日) under the State Council holiday schedule, and importing a year's schedule.

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
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MAX_YEAR, MIN_YEAR, ScheduleDay, YearSchedule

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
    return _("%(year)s年的节假日安排尚未录入，已按周一至周五计算") % {"year": year}


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


# --------------------------------------------------------------------------- import


class ScheduleImportError(ValueError):
    """The schedule was rejected; ``messages`` are Chinese, one per problem. Nothing was saved."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages: list[str] = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class ScheduleEntry:
    date: date
    kind: str  # HOLIDAY or WORKDAY
    name: str = ""


KIND_ALIASES: dict[str, str] = {
    "holiday": HOLIDAY,
    "休": HOLIDAY,
    "休息": HOLIDAY,
    "休息日": HOLIDAY,
    "放假": HOLIDAY,
    "假日": HOLIDAY,
    "节假日": HOLIDAY,
    "法定节假日": HOLIDAY,
    "workday": WORKDAY,
    "班": WORKDAY,
    "上班": WORKDAY,
    "上班日": WORKDAY,
    "补班": WORKDAY,
    "调休上班": WORKDAY,
    "调休上班日": WORKDAY,
}
_KIND_HELP = "应为 holiday（休息日）或 workday（调休上班日）"
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_FIELD_SPLIT_RE = re.compile(r"[,，\t;；]")
_HEADER_WORDS = {"date", "日期"}
_NAME_MAX = ScheduleDay._meta.get_field("name").max_length or 64


def parse_date(text: str) -> date | None:
    """``2027-01-01``, ``2027/1/1``, ``2027.1.1`` or ``2027年1月1日``; None when invalid."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_kind(text: str) -> str | None:
    return KIND_ALIASES.get(text.strip().lower())


def _entry(
    raw_date: Any, raw_kind: Any, raw_name: Any, where: str, errors: list[str]
) -> ScheduleEntry | None:
    if isinstance(raw_date, datetime):
        day: date | None = raw_date.date()
    elif isinstance(raw_date, date):
        day = raw_date
    else:
        day = parse_date(str(raw_date))
    kind = parse_kind(str(raw_kind)) if raw_kind is not None else None
    ok = True
    if day is None:
        errors.append(f"{where}日期“{raw_date}”无效，应为 2027-01-01 这样的格式")
        ok = False
    if kind is None:
        errors.append(f"{where}类型“{'' if raw_kind is None else raw_kind}”无效，{_KIND_HELP}")
        ok = False
    if not ok:
        return None
    assert day is not None and kind is not None
    return ScheduleEntry(day, kind, "" if raw_name is None else str(raw_name).strip())


def parse_schedule_text(text: str) -> list[ScheduleEntry]:
    """Parse lines ``2027-01-01,holiday,元旦`` (name optional).

    Also accepted: full-width commas, tabs or semicolons as separators (pasted from Excel), a header
    line (``date,kind,name`` / ``日期,类型,名称``), blank lines and ``#`` comments, Chinese kinds
    (休息日/休/放假, 调休上班日/班/上班). Raises :class:`ScheduleImportError` listing every bad line.
    """
    entries: list[ScheduleEntry] = []
    errors: list[str] = []
    seen_content = False
    for number, raw_line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip().strip('"').strip() for f in _FIELD_SPLIT_RE.split(line)]
        while fields and not fields[-1]:
            fields.pop()  # trailing empty columns of a spreadsheet export
        first_line, seen_content = not seen_content, True
        if first_line and fields and fields[0].lower() in _HEADER_WORDS:
            continue
        where = f"第{number}行："
        if len(fields) < 2:
            errors.append(f"{where}应为“日期,类型,名称”三列，例如 2027-01-01,holiday,元旦")
            continue
        if len(fields) > 3:
            errors.append(f"{where}列数过多，应为“日期,类型,名称”三列")
            continue
        entry = _entry(fields[0], fields[1], fields[2] if len(fields) == 3 else "", where, errors)
        if entry is not None:
            entries.append(entry)
    if errors:
        raise ScheduleImportError(errors)
    return entries


def entries_from_dict(data: Mapping[Any, Any]) -> list[ScheduleEntry]:
    """Entries from ``{date: value}``; keys are ``date`` objects or date strings, values one of
    ``"holiday"``, ``("holiday", "元旦")`` or ``{"kind": "holiday", "name": "元旦"}`` (JSON-friendly).
    """
    if not isinstance(data, Mapping):
        raise ScheduleImportError(["数据格式无效，应为 {日期: [类型, 名称]} 形式的字典"])
    entries: list[ScheduleEntry] = []
    errors: list[str] = []
    for key, value in data.items():
        where = f"{key}："
        if isinstance(value, Mapping):
            kind, name = value.get("kind"), value.get("name", "")
        elif isinstance(value, list | tuple) and 1 <= len(value) <= 2:
            kind, name = value[0], value[1] if len(value) == 2 else ""
        elif isinstance(value, str):
            kind, name = value, ""
        else:
            errors.append(f"{where}取值无效，应为类型或 [类型, 名称]")
            continue
        entry = _entry(key, kind, name, where, errors)
        if entry is not None:
            entries.append(entry)
    if errors:
        raise ScheduleImportError(errors)
    return entries


def validate_schedule(year: int, entries: Iterable[ScheduleEntry]) -> list[str]:
    """Chinese messages for everything wrong with ``entries`` as the schedule of ``year``."""
    errors: list[str] = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        return [f"年份 {year} 超出范围（{MIN_YEAR}–{MAX_YEAR}）"]
    entries = list(entries)
    if not entries:
        return [f"没有读取到任何日期，{year}年的节假日安排未导入"]
    seen: set[date] = set()
    for e in entries:
        label = f"{e.date:%Y-%m-%d}"
        if e.date.year != year:
            errors.append(f"{label} 不在{year}年内")
        if e.kind not in (HOLIDAY, WORKDAY):
            errors.append(f"{label} 的类型“{e.kind}”无效，{_KIND_HELP}")
        elif e.kind == WORKDAY and e.date.weekday() < 5:
            errors.append(f"{label} 本来就是周一至周五，不能登记为调休上班日")
        if e.date in seen:
            errors.append(f"{label} 重复出现")
        seen.add(e.date)
        if len(e.name) > _NAME_MAX:
            errors.append(f"{label} 的名称过长（最多{_NAME_MAX}个字）")
    return errors


@dataclass(frozen=True)
class ImportResult:
    year: int
    entries: tuple[ScheduleEntry, ...]
    replaced: bool
    overrides_package: bool
    schedule: YearSchedule | None  # None for a dry run

    @property
    def holiday_count(self) -> int:
        return sum(1 for e in self.entries if e.kind == HOLIDAY)

    @property
    def workday_count(self) -> int:
        return sum(1 for e in self.entries if e.kind == WORKDAY)

    def summary(self) -> str:
        """Chinese multi-line summary, one line per holiday name."""
        verb = (
            "校验通过（未保存）" if self.schedule is None else ("已覆盖导入" if self.replaced else "已导入")
        )
        lines = [
            f"{verb}{self.year}年节假日安排：休息日 {self.holiday_count} 天，调休上班日 {self.workday_count} 天。"
        ]
        by_name: dict[str, list[ScheduleEntry]] = {}
        for e in sorted(self.entries, key=lambda e: e.date):
            by_name.setdefault(e.name or "（未命名）", []).append(e)
        for name, items in by_name.items():
            parts = []
            off = [e.date for e in items if e.kind == HOLIDAY]
            work = [e.date for e in items if e.kind == WORKDAY]
            if off:
                parts.append(f"放假 {_format_dates(off)}（{len(off)}天）")
            if work:
                parts.append(f"调休上班 {_format_dates(work)}")
            lines.append(f"  {name}：{'；'.join(parts)}")
        if self.overrides_package:
            lines.append(f"注意：chinesecalendar 已包含{self.year}年的数据，今后以本次录入的安排为准。")
        return "\n".join(lines)


def _format_dates(days: list[date]) -> str:
    """``2月15日至2月23日、3月1日``: consecutive days collapsed into ranges."""
    ranges: list[tuple[date, date]] = []
    for d in sorted(days):
        if ranges and d - ranges[-1][1] == _ONE_DAY:
            ranges[-1] = (ranges[-1][0], d)
        else:
            ranges.append((d, d))

    def md(d: date) -> str:
        return f"{d.month}月{d.day}日"

    return "、".join(md(a) if a == b else f"{md(a)}至{md(b)}" for a, b in ranges)


def import_schedule(
    year: int,
    entries: Iterable[ScheduleEntry],
    *,
    source: str = "",
    note: str = "",
    user: Any = None,
    replace: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Validate and save ``entries`` as the schedule of ``year``, all or nothing.

    An existing schedule of the year is only replaced with ``replace=True`` (it is deleted and
    created anew, so ``created_by``/``created_at`` describe the current content). Raises
    :class:`ScheduleImportError` with Chinese messages; then nothing has been written.
    """
    entries = tuple(entries)
    errors = validate_schedule(year, entries)  # in input order, so messages follow the file's lines
    if errors:
        raise ScheduleImportError(errors)
    entries = tuple(sorted(entries, key=lambda e: e.date))
    overrides_package = PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR
    with transaction.atomic():
        existing = YearSchedule.objects.select_for_update().filter(year=year).first()
        if existing is not None and not replace:
            raise ScheduleImportError(
                [
                    f"{year}年的节假日安排已于{timezone.localtime(existing.created_at):%Y-%m-%d}录入，"
                    "如需覆盖请选择“覆盖”（命令行加 --replace）"
                ]
            )
        if dry_run:
            return ImportResult(year, entries, existing is not None, overrides_package, None)
        if existing is not None:
            existing.delete()
        schedule = YearSchedule.objects.create(
            year=year, source=source[:255], note=note, created_by=user if getattr(user, "pk", None) else None
        )
        ScheduleDay.objects.bulk_create(
            ScheduleDay(schedule=schedule, date=e.date, kind=e.kind, name=e.name) for e in entries
        )
        # bulk_create sends no signal.
        clear_cache_on_change()
    return ImportResult(year, entries, existing is not None, overrides_package, schedule)


def import_schedule_text(text: str, *, year: int, **options: Any) -> ImportResult:
    """Parse :func:`parse_schedule_text` lines and :func:`import_schedule` them."""
    return import_schedule(year, parse_schedule_text(text), **options)


def import_schedule_dict(data: Mapping[Any, Any], *, year: int, **options: Any) -> ImportResult:
    """Convert with :func:`entries_from_dict` and :func:`import_schedule` them."""
    return import_schedule(year, entries_from_dict(data), **options)
