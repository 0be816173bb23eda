"""Entering a year's schedule: parsing, validation, precedence over the package, cache clearing."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from govcredit.ledger.models import LedgerBypassError
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.workdays import services
from govcredit.workdays.models import ScheduleDay, YearSchedule
from govcredit.workdays.services import (
    ScheduleEntry,
    ScheduleImportError,
    add_workdays,
    import_schedule_dict,
    import_schedule_text,
    is_workday,
    missing_years,
    parse_schedule_text,
)

pytestmark = pytest.mark.django_db


def test_parse_accepts_header_comments_chinese_kinds_and_separators() -> None:
    entries = parse_schedule_text(
        "\ufeff日期,类型,名称\n# 注释\n\n2027-01-01，休息日，元旦\n2027/2/20\t班\t春节\n2027年10月1日,holiday,国庆节,,\n"
        "2027-10-09,workday\n"
    )
    assert entries == [
        ScheduleEntry(date(2027, 1, 1), "holiday", "元旦"),
        ScheduleEntry(date(2027, 2, 20), "workday", "春节"),
        ScheduleEntry(date(2027, 10, 1), "holiday", "国庆节"),
        ScheduleEntry(date(2027, 10, 9), "workday", ""),
    ]


def test_parse_reports_every_bad_line_in_chinese() -> None:
    with pytest.raises(ScheduleImportError) as exc:
        parse_schedule_text(
            "2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-02-06,rest,春节\n2027-02-07\n"
        )
    assert exc.value.messages == [
        "第2行：日期“2027-02-30”无效，应为 2027-01-01 这样的格式",
        "第3行：类型“rest”无效，应为 holiday（休息日）或 workday（调休上班日）",
        "第4行：应为“日期,类型,名称”三列，例如 2027-01-01,holiday,元旦",
    ]


def test_import_2027_is_honoured_and_warning_disappears(schedule_2027_text: str) -> None:
    before = add_workdays(date(2026, 12, 31), 1)
    assert before.date == date(2027, 1, 1) and before.estimated
    assert is_workday(date(2027, 2, 8))  # Monday, Mon–Fri fallback

    result = import_schedule_text(schedule_2027_text, year=2027, source="测试")
    assert (result.holiday_count, result.workday_count, result.replaced) == (11, 1, False)
    assert not result.overrides_package
    assert result.summary().splitlines() == [
        "已导入2027年节假日安排：休息日 11 天，调休上班日 1 天。",
        "  元旦：放假 1月1日至1月3日（3天）",
        "  春节：放假 2月6日至2月13日（8天）；调休上班 2月20日",
    ]
    schedule = YearSchedule.objects.get(year=2027)
    assert schedule.days.count() == 12 and schedule.source == "测试"

    after = add_workdays(date(2026, 12, 31), 1)
    assert after == services.Deadline(date(2027, 1, 4), (), False)
    assert not is_workday(date(2027, 2, 8))
    assert is_workday(date(2027, 2, 20))  # Saturday, 调休上班
    assert missing_years(date(2026, 1, 1), date(2027, 12, 31)) == []
    assert services.year_calendar(2027).holiday_name(date(2027, 2, 8)) == "春节"
    assert add_workdays(date(2027, 2, 5), 1).date == date(2027, 2, 15)
    assert add_workdays(date(2027, 2, 15), -1).date == date(2027, 2, 5)
    assert services.workdays_between(date(2027, 2, 5), date(2027, 2, 20)).days == 6  # 15–19, 20


def test_import_from_dict() -> None:
    result = import_schedule_dict(
        {
            "2027-01-01": ["holiday", "元旦"],
            date(2027, 10, 1): {"kind": "holiday", "name": "国庆节"},
            "2027-10-09": "workday",
        },
        year=2027,
    )
    assert result.holiday_count == 2 and result.workday_count == 1
    assert not is_workday(date(2027, 10, 1))
    assert is_workday(date(2027, 10, 9))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"2026-12-31": ["holiday", "元旦"]}, "2026-12-31 不在2027年内"),
        (
            {"2027-01-01": ["vacation", "元旦"]},
            "2027-01-01：类型“vacation”无效，应为 holiday（休息日）或 workday（调休上班日）",
        ),
        ({"2027-01-04": ["workday", "元旦"]}, "2027-01-04 本来就是周一至周五，不能登记为调休上班日"),
        ({"2027-02-31": ["holiday", "春节"]}, "2027-02-31：日期“2027-02-31”无效，应为 2027-01-01 这样的格式"),
        ({}, "没有读取到任何日期，2027年的节假日安排未导入"),
    ],
)
def test_invalid_dict_rejected_and_nothing_saved(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleImportError) as exc:
        import_schedule_dict({"2027-01-01": ["holiday", "元旦"], **data} if data else {}, year=2027)
    assert message in exc.value.messages
    assert not YearSchedule.objects.exists() and not ScheduleDay.objects.exists()


def test_text_outside_year_rejected_and_nothing_saved() -> None:
    with pytest.raises(ScheduleImportError) as exc:
        import_schedule_text(
            "2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n", year=2027
        )
    assert exc.value.messages == ["2028-01-01 不在2027年内", "2027-01-01 重复出现"]
    assert not YearSchedule.objects.exists()
    assert services.year_calendar(2027).missing


def test_existing_year_needs_replace(schedule_2027_text: str) -> None:
    import_schedule_text(schedule_2027_text, year=2027)
    with pytest.raises(ScheduleImportError) as exc:
        import_schedule_text("2027-05-03,holiday,劳动节\n", year=2027)
    assert "如需覆盖" in exc.value.messages[0]
    assert not is_workday(date(2027, 1, 1)) and is_workday(date(2027, 5, 3))

    result = import_schedule_text("2027-05-03,holiday,劳动节\n", year=2027, replace=True)
    assert result.replaced and result.summary().startswith("已覆盖导入2027年")
    assert YearSchedule.objects.get().days.exclude(kind="withdrawn").count() == 1  # the others withdrawn, kept
    assert is_workday(date(2027, 1, 1)) and not is_workday(date(2027, 5, 3))


def test_schedule_overrides_package_year() -> None:
    assert not is_workday(date(2024, 10, 1))
    result = import_schedule_dict({"2024-10-02": ["holiday", "国庆节"]}, year=2024)
    assert result.overrides_package
    assert "chinesecalendar 已包含2024年的数据" in result.summary()
    assert is_workday(date(2024, 10, 1))  # only the office's schedule counts now
    assert not is_workday(date(2024, 10, 2))
    assert services.year_calendar(2024).source == "schedule"


def test_a_schedule_is_written_and_replaced_through_the_ledger_and_clears_the_cache() -> None:
    assert is_workday(date(2028, 1, 3))  # loaded as missing (Monday)
    services.import_schedule_text("2028-01-03,holiday,元旦\n2028-01-08,workday,元旦", year=2028, source="通知一")
    assert not is_workday(date(2028, 1, 3)) and is_workday(date(2028, 1, 8))
    services.import_schedule_text("2028-01-08,workday,元旦调休\n2028-01-10,holiday,元旦", year=2028,
                                  source="通知二", replace=True)
    assert is_workday(date(2028, 1, 3)) and not is_workday(date(2028, 1, 10))  # 01-03 withdrawn
    days = {d.date: d for d in ScheduleDay.objects.all()}
    assert (days[date(2028, 1, 3)].kind, days[date(2028, 1, 8)].name) == ("withdrawn", "元旦调休")
    withdrawn = history(days[date(2028, 1, 3)]).order_by("-seq").first()
    assert withdrawn is not None and withdrawn.changed_values == {"kind": ["holiday", "withdrawn"], "name": ["元旦", ""]}
    assert YearSchedule.objects.get().source == "通知二"
    with pytest.raises(LedgerBypassError):
        ScheduleDay.objects.filter(date=date(2028, 1, 3)).update(kind="holiday")
    with pytest.raises(LedgerBypassError):
        YearSchedule.objects.get().delete()
    assert verify().ok


def test_import_command(tmp_path: Path, schedule_2027_text: str) -> None:
    path = tmp_path / "2027.csv"
    path.write_bytes(schedule_2027_text.encode("gb18030"))  # as saved by Excel on Chinese Windows
    out = StringIO()
    call_command("import_holidays", str(path), "--year", "2027", "--dry-run", stdout=out)
    assert out.getvalue().startswith("校验通过（未保存）2027年节假日安排：休息日 11 天")
    assert not YearSchedule.objects.exists()

    out = StringIO()
    call_command("import_holidays", str(path), "--year", "2027", stdout=out)
    assert "已导入2027年节假日安排" in out.getvalue()
    assert YearSchedule.objects.get().source == "2027.csv"
    assert not is_workday(date(2027, 2, 8))


def test_import_command_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,holiday,元旦\n2026-12-31,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="导入失败，未保存任何数据：\n  2026-12-31 不在2027年内"):
        call_command("import_holidays", str(path), "--year", "2027")
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_holidays", str(tmp_path / "nope.csv"), "--year", "2027")
    assert not YearSchedule.objects.exists()
