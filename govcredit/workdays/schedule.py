"""Reading a year's holiday schedule as the credit office writes it (text lines or a dict) and checking it
before anything is saved (:func:`govcredit.workdays.services.import_schedule` saves it)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from govcredit.core.errors import DomainError

from .calendars import HOLIDAY, WORKDAY
from .models import MAX_YEAR, MIN_YEAR, ScheduleDay


class ScheduleImportError(DomainError, ValueError):
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
