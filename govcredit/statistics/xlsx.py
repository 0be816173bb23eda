"""The statistics as an Excel workbook (XlsxWriter): Chinese headers, rates as real percentages.

Cells are written through :mod:`govcredit.core.spreadsheet`: text that Excel would read as a formula gets a
leading apostrophe, numbers stay numbers, and the workbook never turns strings into formulas or links.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from govcredit.core.spreadsheet import workbook, write_cell

from .report import Counts, Report

if TYPE_CHECKING:
    import xlsxwriter

COUNT_HEADERS = ["双公示决定数", "数据完整数", "完整率", "应公示数", "按时公示数", "逾期公示数", "逾期未公示数",
                 "期限内待公示数", "及时率", "公示率", "平均公示用时（工作日）"]

DEFINITIONS = [
    ("双公示决定", "目录中标记为“双公示”的行政许可、行政处罚决定（不论状态）。"),
    ("应公示", "按公示规则应在门户公开的决定（仅警告、通报批评或较低罚款等不予公示的除外；公示前已撤销的除外）。"),
    ("公示用时", "决定日期之后至公开日期（含）的工作日数，按国务院节假日安排（含调休）计算。"),
    ("按时公示", "公示用时不超过目录规定的工作日数（默认 7 个工作日）。"),
    ("逾期公示", "已公开，但公示用时超过规定的工作日数。"),
    ("逾期未公示", "尚未公开，且已超过规定的工作日数。"),
    ("期限内待公示", "尚未公开，仍在规定期限内；不计入及时率和公示率。"),
    ("及时率", "按时公示 ÷（按时公示 + 逾期公示 + 逾期未公示）。目标 100%。"),
    ("公示率", "（按时公示 + 逾期公示）÷（按时公示 + 逾期公示 + 逾期未公示）。"),
    ("完整率", "数据完整的决定 ÷ 双公示决定；数据完整指按该决定所用目录版本重新校验：必填项齐全、各项取值合法。"),
    ("区域", "决定单位在市级以下所属的区；市级部门计入“市本级”。"),
    ("统计月份", "按决定日期所在月份统计。"),
]


def _count_values(c: Counts) -> list[Any]:
    return [c.total, c.complete, c.completeness_rate, c.due, c.on_time, c.late_published, c.overdue_unpublished,
            c.pending, c.on_time_rate, c.publication_rate,
            None if c.avg_workdays is None else round(c.avg_workdays, 2)]


class _Sheet:
    def __init__(self, book: xlsxwriter.Workbook, name: str, formats: dict[str, Any]) -> None:
        self.ws = book.add_worksheet(name)
        self.formats = formats
        self.row = 0

    def header(self, labels: list[str]) -> None:
        for col, label in enumerate(labels):
            write_cell(self.ws, self.row, col, label, self.formats["header"])
            self.ws.set_column(col, col, max(10, len(label) * 2 + 2))
        self.ws.freeze_panes(self.row + 1, 0)
        self.row += 1

    def values(self, values: list[Any], *, rate_cols: set[int], bold: bool = False) -> None:
        for col, value in enumerate(values):
            fmt = self.formats["pct_bold" if bold else "pct"] if col in rate_cols else (
                self.formats["bold"] if bold else None)
            write_cell(self.ws, self.row, col, value, fmt)
        self.row += 1


def report_workbook(report: Report, *, with_departments: bool) -> bytes:
    """The workbook as bytes (a few sheets of at most a few thousand rows: small enough for memory)."""
    buffer = io.BytesIO()
    book = workbook(buffer, in_memory=True)
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1, "text_wrap": True}),
        "pct": book.add_format({"num_format": "0.0%"}),
        "pct_bold": book.add_format({"num_format": "0.0%", "bold": True}),
        "bold": book.add_format({"bold": True}),
        "warn": book.add_format({"font_color": "#B71C1C", "bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }

    months = _Sheet(book, "月度趋势", formats)
    months.header(["月份", *COUNT_HEADERS])
    rate_cols = {3, 9, 10}
    for m in report.months:
        months.values([m.label, *_count_values(m.counts)], rate_cols=rate_cols)
    months.values(["合计", *_count_values(report.total)], rate_cols=rate_cols, bold=True)

    if with_departments:
        deps = _Sheet(book, "部门排名", formats)
        deps.header(["排名", "部门", "所属区域", *COUNT_HEADERS, "是否达到100%"])
        dep_rates = {5, 11, 12}
        for d in report.departments:
            deps.values([d.rank, d.name, d.district, *_count_values(d.counts),
                         "未达到" if d.counts.below_target else "达到"], rate_cols=dep_rates)
        monthly = _Sheet(book, "部门分月", formats)
        monthly.header(["月份", "部门", "所属区域", *COUNT_HEADERS])
        for d, m in report.department_months():
            monthly.values([m.label, d.name, d.district, *_count_values(m.counts)], rate_cols=dep_rates)
        area_monthly = _Sheet(book, "区域分月", formats)
        area_monthly.header(["月份", "区域", *COUNT_HEADERS])
        for name, per_month in report.district_matrix():
            for m, counts in zip(report.months, per_month, strict=True):
                if counts.total:
                    area_monthly.values([m.label, name, *_count_values(counts)], rate_cols={4, 10, 11})
        areas = _Sheet(book, "区域汇总", formats)
        areas.header(["排名", "区域", *COUNT_HEADERS, "是否达到100%"])
        area_rates = {4, 10, 11}
        for a in report.districts:
            areas.values([a.rank, a.name, *_count_values(a.counts), "未达到" if a.counts.below_target else "达到"],
                         rate_cols=area_rates)

    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 90)
    refreshed = timezone.localtime(report.refreshed_at).strftime("%Y-%m-%d %H:%M") if report.refreshed_at else "尚未统计"
    lines: list[tuple[str, str]] = [
        ("统计范围", report.scope_label),
        ("统计期间", f"{report.start:%Y-%m} 至 {report.end:%Y-%m}（按决定日期）"),
        ("统计截至", f"{report.today:%Y-%m-%d}"),
        ("数据更新时间", refreshed),
        ("生成时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        *DEFINITIONS,
    ]
    row = 0
    for label, text in lines:
        write_cell(notes, row, 0, label, formats["bold"])
        write_cell(notes, row, 1, text, formats["wrap"])
        row += 1
    for warning in report.warnings:
        write_cell(notes, row, 0, "日历提示", formats["warn"])
        write_cell(notes, row, 1, warning, formats["warn"])
        row += 1
    book.close()
    return buffer.getvalue()
