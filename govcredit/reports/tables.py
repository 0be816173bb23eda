"""Reading the lists people bring: candidates for a pre-appointment check, rosters exported from the
civil-servant personnel database. XLSX (first sheet) or CSV (UTF-8 or GB18030); the header is the first of
the top ten rows that names a known column; cells come back as stripped text."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govcredit.core.spreadsheet import restore

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000


@dataclass(frozen=True)
class Table:
    columns: dict[str, int]  # our column key → index in the file
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value)).strip()


def _grid(data: bytes, name: str) -> list[list[str]]:
    if name.lower().endswith((".xlsx", ".xls")):
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            return [[_text(v) for v in row] for row in sheet.iter_rows()]
        except Exception as e:  # calamine raises plain errors for broken files
            raise ValidationError(_("无法读取该 Excel 文件：%(e)s") % {"e": str(e)[:200]}) from e
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[_text(v) for v in row] for row in csv.reader(io.StringIO(text))]
    raise ValidationError(_("无法识别文件编码：请另存为 UTF-8 的 CSV 或 Excel 文件"))


def _columns(row: list[str], headers: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    labels = {cell.replace(" ", ""): i for i, cell in enumerate(row) if cell}
    return {key: labels[label] for key, names in headers.items() for label in names if label in labels}


def read_table(data: bytes, name: str, headers: Mapping[str, tuple[str, ...]], *, required: set[str]) -> Table:
    """The rows of ``data`` under the header that names at least one of ``headers``' labels
    (key → accepted labels); a missing required column, an empty file or one too large is refused whole."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件超过 10 MB：请分批上传"))
    grid = _grid(data, name)
    found = next(((at, columns) for at, row in enumerate(grid[:10]) if (columns := _columns(row, headers))), None)
    if found is None:
        raise ValidationError(_("前 10 行中没有找到表头：需要列 %(cols)s")
                              % {"cols": "、".join(names[0] for names in headers.values())})
    at, columns = found
    missing = [headers[key][0] for key in sorted(required) if key not in columns]
    if missing:
        raise ValidationError(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
    rows = [(at + 2 + n, cells) for n, cells in enumerate(grid[at + 1:]) if any(c.strip() for c in cells)]
    if not rows:
        raise ValidationError(_("表头下面没有数据行"))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("一次最多 %(n)d 行：请分批上传") % {"n": MAX_ROWS})
    return Table(columns, rows)
