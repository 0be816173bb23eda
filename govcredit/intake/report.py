"""The error report: the rejected rows as they were sent, with a 错误原因 column, as an XLSX file.

Cells are always written as text, through :mod:`govcredit.core.spreadsheet`: text that a spreadsheet
would take for a formula gets a leading apostrophe, so the report cannot run formulas (CSV/formula
injection) even if it is later saved as CSV and opened again.

Rejected rows carry whatever the clerk sent, ID numbers included. Only the credit office
(``access.can_see_submitted_ids``) sees them as sent; every other viewer — on the page, in the API and in the
XLSX — gets them through :func:`rejected_rows` with ``full_id_numbers=False``: the ID-number columns
masked whole, and ID and phone numbers masked inside every other cell and the reason (``mask_text``).
The report stored with the batch is the full one; a masked copy is written for each such download.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from govcredit.catalog.schema import clean_text, header_map
from govcredit.core import spreadsheet
from govcredit.subjects.identifiers import mask_id_number, mask_text

from .columns import REPORT_COLUMNS
from .models import ImportBatch

RejectedRow = tuple[int, list[Any], str]


def _id_columns(batch: ImportBatch) -> set[int]:
    """Positions of the batch's columns that hold ID numbers (fields of type ``id_number``)."""
    names = header_map(batch.type_version.fields)
    out = set()
    for pos, raw in enumerate(batch.columns):
        spec = names.get(raw) or names.get(clean_text(raw, fold=True))
        if spec is not None and spec.get("type") == "id_number":
            out.add(pos)
    return out


def rejected_rows(batch: ImportBatch, *, full_id_numbers: bool) -> Iterator[RejectedRow]:
    """The batch's rejected rows (row number, values as sent, reason), as a viewer may see them.

    With ``full_id_numbers`` (roles allowed full ID numbers) exactly as sent; otherwise ID-number
    columns are masked whole, however malformed, and ID and phone numbers inside every other cell
    and inside the reason are masked.
    """
    id_columns = set() if full_id_numbers else _id_columns(batch)
    for chunk in batch.chunks.order_by("seq").iterator(chunk_size=20):
        for row_no, values, reason in chunk.rejected_rows:
            if full_id_numbers:
                yield row_no, values, reason
                continue
            masked = [None if v is None else mask_id_number(str(v)) if i in id_columns else mask_text(str(v))
                      for i, v in enumerate(values)]
            yield row_no, masked, mask_text(reason or "")



def report_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "intake" / "reports" / f"batch-{batch.pk}-errors.xlsx"


def _write(batch: ImportBatch, target: str | IO[bytes], *, full_id_numbers: bool) -> None:
    workbook = spreadsheet.workbook(target, constant_memory=True, tmpdir=tempfile.gettempdir())
    sheet = workbook.add_worksheet("退回的行")
    head = workbook.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1})
    reason_fmt = workbook.add_format({"font_color": "#B71C1C", "text_wrap": True})
    columns = [str(c) for c in batch.columns]
    titles = [*columns, *REPORT_COLUMNS]
    for col, title in enumerate(titles):
        spreadsheet.write_cell(sheet, 0, col, title, head)
    sheet.set_column(len(columns), len(columns), 60)
    sheet.freeze_panes(1, 0)
    out_row = 1
    for row_no, values, reason in rejected_rows(batch, full_id_numbers=full_id_numbers):
        for col in range(len(columns)):
            value = values[col] if col < len(values) else None
            if value is not None:
                spreadsheet.write_cell(sheet, out_row, col, str(value))
        spreadsheet.write_cell(sheet, out_row, len(columns), reason, reason_fmt)
        sheet.write_number(out_row, len(columns) + 1, row_no)
        out_row += 1
    workbook.close()


def write_report(batch: ImportBatch) -> Path:
    """Write the batch's (full) error report next to the batch's files; returns its path."""
    path = report_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    try:
        _write(batch, str(tmp), full_id_numbers=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path


def report_for(batch: ImportBatch, *, full_id_numbers: bool) -> IO[bytes]:
    """The error report to download, open at its start: the stored one, or a masked copy written now."""
    if full_id_numbers:
        return Path(batch.error_report).open("rb")
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to FileResponse, which closes it
    try:
        _write(batch, out, full_id_numbers=False)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
