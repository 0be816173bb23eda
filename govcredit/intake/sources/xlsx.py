"""XLSX files: zip bombs refused before calamine opens the file, merged header cells refused, cells as typed."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    BLOCK,
    FileRejected,
    Table,
    cell_text,
    check_width,
    column_letter,
    find_header,
    frame_from_rows,
    limits,
    mb,
    trim_header,
)

if TYPE_CHECKING:
    import polars as pl

XLSX_GENERAL = "无法读取 XLSX 文件：文件已损坏，或不是 Excel/WPS 保存的 .xlsx 文件。请重新保存后再提交。"


def check_zip(path: Path) -> None:
    """Refuse a zip bomb before any spreadsheet library opens the file.

    Declared sizes and ratios are checked first; then every entry is inflated as a stream (nothing
    kept) so that an entry bigger than it declares fails its size and CRC check.
    """
    lim = limits()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise FileRejected("文件不是有效的 XLSX 文件（无法作为 ZIP 打开）：请用 Excel 或 WPS 重新保存为 .xlsx。") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.xlsx_max_entries:
            raise FileRejected(f"XLSX 文件内含 {len(infos):,} 个部件，超过上限 {lim.xlsx_max_entries:,}，疑似恶意文件。")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise FileRejected("文件不是有效的 XLSX 文件（缺少工作簿部件）：请用 Excel 或 WPS 重新保存为 .xlsx。")
        total = sum(i.file_size for i in infos)
        if total > lim.xlsx_max_unpacked:
            raise FileRejected(f"XLSX 文件解压后有 {mb(total)}，超过上限 {mb(lim.xlsx_max_unpacked)}，"
                               "疑似“压缩炸弹”：请拆分文件或改用 CSV 提交。")
        for info in infos:
            if info.file_size > 1024**2 and info.file_size > lim.xlsx_max_ratio * max(info.compress_size, 1):
                raise FileRejected(f"XLSX 部件 {info.filename} 的压缩比异常（{info.file_size // max(info.compress_size, 1):,} 倍），"
                                   "疑似“压缩炸弹”，已拒收。")
        unpacked = 0
        for info in infos:
            try:
                with zf.open(info) as member:
                    while chunk := member.read(BLOCK):
                        unpacked += len(chunk)
                        if unpacked > lim.xlsx_max_unpacked:
                            raise FileRejected(f"XLSX 文件解压后超过上限 {mb(lim.xlsx_max_unpacked)}，疑似“压缩炸弹”。")
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
                raise FileRejected(f"XLSX 部件 {info.filename} 已损坏或与声明的大小不符，已拒收。") from None



def open_xlsx(path: Path, names: set[str], sheet: str = "") -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
        if sheet:
            if sheet not in sheet_names:
                raise FileRejected(f"工作表“{sheet}”不存在；文件中的工作表有：{'、'.join(sheet_names)}。")
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

