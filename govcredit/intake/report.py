"""The error report: the rejected rows as they were sent, with a 错误原因 column, as an XLSX file.

Cells are always written as text, through :mod:`govcredit.core.spreadsheet`: text that a spreadsheet
would take for a formula gets a leading apostrophe, so the report cannot run formulas (CSV/formula
injection) even if it is later saved as CSV and opened again.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from govcredit.core import spreadsheet

from .models import ImportBatch


def report_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / "intake" / "reports" / f"batch-{batch.pk}-errors.xlsx"


def write_report(batch: ImportBatch) -> Path:
    path = report_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    workbook = spreadsheet.workbook(str(tmp), constant_memory=True)
    try:
        sheet = workbook.add_worksheet("退回的行")
        head = workbook.add_format({"bold": True, "bg_color": "#EEF0F3", "border": 1})
        reason_fmt = workbook.add_format({"font_color": "#B71C1C", "text_wrap": True})
        columns = [str(c) for c in batch.columns]
        titles = [*columns, "错误原因", "原文件行号"]
        for col, title in enumerate(titles):
            spreadsheet.write_cell(sheet, 0, col, title, head)
        sheet.set_column(len(columns), len(columns), 60)
        sheet.freeze_panes(1, 0)
        out_row = 1
        for chunk in batch.chunks.order_by("seq").iterator(chunk_size=20):
            for row_no, values, reason in chunk.rejected_rows:
                for col in range(len(columns)):
                    value = values[col] if col < len(values) else None
                    if value is not None:
                        spreadsheet.write_cell(sheet, out_row, col, str(value))
                spreadsheet.write_cell(sheet, out_row, len(columns), reason, reason_fmt)
                sheet.write_number(out_row, len(columns) + 1, row_no)
                out_row += 1
        workbook.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return path
