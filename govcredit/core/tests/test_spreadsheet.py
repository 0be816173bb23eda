"""Formula-like text is neutralised in every CSV and XLSX cell, numbers stay numbers."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from govcredit.core.spreadsheet import csv_row, neutralise, workbook, write_cell

FORMULAS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "＝1", "＋1", "－1", "＠A"]


def test_every_formula_start_gets_an_apostrophe_and_nothing_else_changes() -> None:
    for text in FORMULAS:
        assert neutralise(text) == "'" + text
        assert neutralise(text)[1:] == text  # reversible: drop the apostrophe
    assert neutralise("南京") == "南京" and neutralise("a=1") == "a=1" and neutralise("") == ""


def test_csv_rows_keep_numbers_and_neutralise_text() -> None:
    row = csv_row([-5, Decimal("-5.50"), "-5", "=HYPERLINK(\"x\")", None, ["=a", "b"], dt.date(2026, 1, 2), 3.5])
    assert row == ["-5", "-5.5", "'-5", "'=HYPERLINK(\"x\")", "", "'=a;b", "2026-01-02", "3.5"]


def test_xlsx_cells_keep_numbers_and_neutralise_text() -> None:
    buffer = io.BytesIO()
    book = workbook(buffer, in_memory=True)
    sheet = book.add_worksheet("s")
    for col, value in enumerate([-5, Decimal("-2.5"), "-5", "=1+1", "@A1", None, "南京"]):
        write_cell(sheet, 0, col, value)
    book.close()
    cells = list(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))[0]
    assert cells == (-5, -2.5, "'-5", "'=1+1", "'@A1", None, "南京")
