"""The workdays app's services: importing a year's holiday schedule, and the calendar questions every
deadline asks (re-exported from :mod:`.calendars`, so ``workdays.services.add_workdays`` is the one entry).

Modules: :mod:`.calendars` (per-year calendars, working-day arithmetic), :mod:`.schedule` (reading and
checking a schedule), this module (saving it, all or nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .calendars import (
    HOLIDAY,
    PACKAGE_FIRST_YEAR,
    PACKAGE_LAST_YEAR,
    WORKDAY,
    Deadline,
    WorkdayCount,
    YearCalendar,
    add_workdays,
    clear_cache,
    clear_cache_on_change,
    is_missing_year,
    is_workday,
    missing_year_warning,
    missing_years,
    workdays_between,
    year_calendar,
)
from .models import ScheduleDay, YearSchedule
from .schedule import (
    ScheduleEntry,
    ScheduleImportError,
    entries_from_dict,
    parse_date,
    parse_kind,
    parse_schedule_text,
    validate_schedule,
)

__all__ = [
    "HOLIDAY", "PACKAGE_FIRST_YEAR", "PACKAGE_LAST_YEAR", "WORKDAY", "Deadline", "ImportResult", "ScheduleEntry",
    "ScheduleImportError", "WorkdayCount", "YearCalendar", "add_workdays", "clear_cache", "clear_cache_on_change",
    "entries_from_dict", "import_schedule", "import_schedule_dict", "import_schedule_text", "is_missing_year",
    "is_workday", "missing_year_warning", "missing_years", "parse_date", "parse_kind", "parse_schedule_text",
    "validate_schedule", "workdays_between", "year_calendar",
]

_ONE_DAY = timedelta(days=1)


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
