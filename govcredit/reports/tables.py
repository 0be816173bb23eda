"""Reading the lists people bring: candidates for a pre-appointment check, rosters exported from the
civil-servant personnel database. XLSX (first sheet) or CSV (UTF-8 or GB18030); the header is the row among
the top ten that names the most known columns; cells come back as stripped text.

The reading itself is intake's (``core.reading``: encoding, the zip-bomb check, cell text with neutralised
cells restored, the header row); these lists are small, so they are read whole, under smaller limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govcredit.core import reading

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
#: An XLSX list of 5,000 rows unpacks to a few MB; anything far bigger is refused before calamine opens it.
ZIP_LIMITS = reading.ZipLimits(max_entries=1_000, max_unpacked=200 * 1024 * 1024, max_ratio=200)
HEADER_SCAN = 10


@dataclass(frozen=True)
class Table:
    columns: dict[str, int]  # our column key → index in the file
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""


def _grid(data: bytes, name: str) -> list[list[str]]:
    if name.lower().endswith((".xlsx", ".xls")):
        from python_calamine import CalamineWorkbook

        if data.startswith(b"PK"):  # .xlsx (a zip); an old .xls is an OLE file calamine reads as it is
            reading.check_zip(io.BytesIO(data), ZIP_LIMITS)
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            return [[reading.restored_text(v) for v in row] for row in sheet.iter_rows()]
        except Exception as e:  # calamine raises plain errors for broken files
            raise ValidationError(_("无法读取该 Excel 文件：%(e)s") % {"e": str(e)[:200]}) from e
    text = data.decode(reading.detect_encoding(data[:reading.BLOCK]))
    return [[reading.restored_text(v) for v in row] for row in csv.reader(io.StringIO(text))]


def _columns(row: list[str], headers: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    labels = {cell.replace(" ", ""): i for i, cell in enumerate(row) if cell}
    return {key: labels[label] for key, names in headers.items() for label in names if label in labels}


def read_table(data: bytes, name: str, headers: Mapping[str, tuple[str, ...]], *, required: set[str]) -> Table:
    """The rows of ``data`` under the header that names the most of ``headers``' labels (key → accepted
    labels); a missing required column, an empty file, one too large or unreadable is refused whole (a
    ``ValidationError`` for the upload form)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件超过 10 MB：请分批上传"))
    try:
        grid = _grid(data, name)
    except reading.FileRejected as e:
        raise ValidationError(str(e)) from e
    labels = {label for names in headers.values() for label in names}
    at = reading.find_header_row(grid[:HEADER_SCAN], lambda cell: cell.replace(" ", "") in labels)
    if at < 0:
        raise ValidationError(_("前 10 行中没有找到表头：需要列 %(cols)s")
                              % {"cols": "、".join(names[0] for names in headers.values())})
    columns = _columns(grid[at], headers)
    missing = [headers[key][0] for key in sorted(required) if key not in columns]
    if missing:
        raise ValidationError(_("缺少列：%(cols)s") % {"cols": "、".join(missing)})
    rows = [(at + 2 + n, cells) for n, cells in enumerate(grid[at + 1:]) if any(c.strip() for c in cells)]
    if not rows:
        raise ValidationError(_("表头下面没有数据行"))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("一次最多 %(n)d 行：请分批上传") % {"n": MAX_ROWS})
    return Table(columns, rows)
