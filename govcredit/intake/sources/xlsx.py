"""XLSX files: zip bombs refused before calamine opens the file, merged header cells refused, cells as typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govcredit.core import reading
from govcredit.core.reading import FileRejected, cell_text

from .common import Table, check_width, column_letter, find_header, frame_from_rows, limits, trim_header

if TYPE_CHECKING:
    import polars as pl

XLSX_GENERAL = "无法读取 XLSX 文件：文件已损坏，或不是 Excel/WPS 保存的 .xlsx 文件。请重新保存后再提交。"


def check_zip(path: Path) -> None:
    """Refuse a zip bomb before any spreadsheet library opens the file (``core.reading.check_zip``)."""
    lim = limits()
    reading.check_zip(path, reading.ZipLimits(lim.xlsx_max_entries, lim.xlsx_max_unpacked, lim.xlsx_max_ratio))


class NoSuchSheet(FileRejected):
    """The workbook has no sheet of the name asked for (a caller may treat an optional sheet's absence apart)."""


def open_xlsx(path: Path, names: set[str], sheet: str = "") -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
        if sheet:
            if sheet not in sheet_names:
                raise NoSuchSheet(f"工作表“{sheet}”不存在；文件中的工作表有：{'、'.join(sheet_names)}。")
            ws = workbook.get_sheet_by_name(sheet)
        else:
            if not sheet_names:
                raise FileRejected("XLSX 文件中没有工作表。")
            ws = workbook.get_sheet_by_index(0)
    except CalamineError:
        raise FileRejected(XLSX_GENERAL) from None
    except Exception as e:  # calamine raises plain errors for some broken files
        if isinstance(e, FileRejected):
            raise
        raise FileRejected(XLSX_GENERAL) from None
    start_row = ws.start[0] if ws.start else 0
    rows_iter = iter(ws.iter_rows())
    head: list[list[Any]] = []
    for row in rows_iter:
        head.append(list(row))
        if len(head) >= limits().header_scan_rows:
            break
    if not head:
        raise FileRejected("工作表为空：没有表头，也没有数据行。")
    index = find_header([[cell_text(c) or "" for c in r] for r in head], names)
    header = trim_header([cell_text(c) or "" for c in head[index]])
    check_width(len(header))
    header_row = start_row + index + 1
    _check_merged(ws, header_row - 1, len(header))
    width = len(header)
    estimate = max(int(getattr(ws, "total_height", 0) or 0) - header_row, 0)

    def frames(chunk_size: int) -> Iterator[pl.DataFrame]:
        numbers: list[int] = []
        rows: list[list[str | None]] = []
        row_no = header_row
        for raw in head[index + 1:]:
            row_no += 1
            numbers.append(row_no)
            rows.append([cell_text(c) for c in raw[:width]])
        for raw in rows_iter:
            row_no += 1
            numbers.append(row_no)
            rows.append([cell_text(c) for c in raw[:width]])
            if len(rows) >= chunk_size:
                yield frame_from_rows(numbers, rows, width)
                numbers, rows = [], []
        if rows:
            yield frame_from_rows(numbers, rows, width)

    return Table("xlsx", header, header_row, estimate, frames)


def _check_merged(ws: Any, header_index: int, width: int) -> None:
    ranges = getattr(ws, "merged_cell_ranges", None) or []
    bad = []
    for rng in ranges:
        (r0, c0), (r1, c1) = rng
        if r0 <= header_index <= r1 and c0 < width:
            bad.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    if bad:
        raise FileRejected(f"表头（第 {header_index + 1} 行）有合并单元格 {'、'.join(bad)}：请取消合并，"
                           "让每一列都有自己的字段名后再提交。")

