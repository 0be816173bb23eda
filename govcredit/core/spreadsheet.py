"""Cells of every file a spreadsheet may open (CSV and XLSX): one place that keeps formulas out.

A text cell that begins with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab, a carriage
return or a line feed is read by Excel, WPS and LibreOffice as a formula (CSV/formula injection), so
such text gets a leading apostrophe: the spreadsheet then shows the text as it is. The apostrophe is
the only change, so :func:`neutralise` can be undone by removing it from a text that starts with one
followed by a formula character.

Only *text* is neutralised: numbers are written as numbers (an XLSX number cell, or a CSV field
formatted from an int or Decimal), so an amount of -5 stays a number in a numeric column.

Every CSV and XLSX writer of the project formats its cells here: :func:`csv_row` for CSV rows,
:func:`workbook` and :func:`write_cell` for XLSX.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    import xlsxwriter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
MAX_CELL = 32_767  # Excel's limit for one cell
MULTI_SEPARATOR = ";"
# What XlsxWriter must never do to a string: turn it into a formula, a link or a number.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


#: A cell :func:`neutralise` changed: an apostrophe before formula-like content (a regular expression).
NEUTRALISED = "^'[" + "".join(re.escape(c) for c in FORMULA_START) + "]"


def neutralise(text: str) -> str:
    """A text a spreadsheet will show as text: a leading apostrophe before formula-like content."""
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given: a file the project wrote (an error report) read back."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def text_of(value: Any) -> str:
    """A value as the text of a cell: lists joined with ``;``, times local, amounts without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return MULTI_SEPARATOR.join(text_of(v) for v in value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_cell(value: Any) -> str:
    """One CSV field: numbers as they are, every text (including joined lists) neutralised."""
    text = text_of(value)
    return text if is_number(value) else neutralise(text)


def csv_row(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """A row for ``csv.writer``: every field through :func:`csv_cell`."""
    return [csv_cell(v) for v in values]


def workbook(target: str | IO[bytes], **options: Any) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook that never converts strings to formulas, links or numbers."""
    import xlsxwriter  # here, not at import: every table module loads this one, few processes write a workbook

    return xlsxwriter.Workbook(target, {**options, **SAFE_OPTIONS})


def write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one XLSX cell: numbers as numbers, nothing as blank, everything else as neutralised text."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif is_number(value):
        sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt)
    else:
        sheet.write_string(row, col, neutralise(text_of(value))[:MAX_CELL], fmt)
