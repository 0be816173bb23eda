"""Point 5: the error report — rejected rows as sent, a 错误原因 column, formulas neutralised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from govcredit.intake.models import BatchStatus

from .conftest import NATIONAL, csv_bytes, penalty, run_file, write


def test_report_has_rows_as_sent_and_reasons(city: Any, tmp_path: Path) -> None:
    rows = [penalty(i) for i in range(1, 5)]
    rows[1]["行政相对人类别"] = "法人"
    rows[2]["处罚决定日期"] = "2025-13-01"
    rows[2]["备注"] = "  原样保留  "
    batch = run_file(city, write(tmp_path, "r.csv", csv_bytes(rows)))
    assert batch.status == BatchStatus.DONE and batch.rejected == 2
    ws = openpyxl.load_workbook(batch.error_report).active
    data = list(ws.iter_rows(values_only=True))
    assert list(data[0]) == [*NATIONAL, "错误原因", "原文件行号"]
    assert len(data) == 3
    first = dict(zip(data[0], data[1], strict=True))
    assert first["行政相对人类别"] == "法人" and first["原文件行号"] == 3
    assert first["错误原因"].startswith("行政相对人类别：“法人”不在可选值内")
    second = dict(zip(data[0], data[2], strict=True))
    assert second["备注"] == "  原样保留  " and second["原文件行号"] == 4
    assert second["错误原因"] == "处罚决定日期：“2025-13-01”不是有效日期"


def test_formula_cells_are_neutralised(city: Any, tmp_path: Path) -> None:
    evil = {"行政相对人名称": "=HYPERLINK(\"http://x\",\"点我\")", "违法事实": "+1+1", "处罚依据": "-2+3",
            "处罚内容": "@SUM(A1:A2)", "备注": "=1+1", "行政相对人类别": "法人"}
    batch = run_file(city, write(tmp_path, "evil.csv", csv_bytes([penalty(1, **evil)])))
    assert batch.rejected == 1
    wb = openpyxl.load_workbook(batch.error_report)
    ws = wb.active
    header = [c.value for c in ws[1]]
    cells = {header[i]: c for i, c in enumerate(ws[2])}
    for name, value in evil.items():
        cell = cells[name]
        if value[0] in "=+-@":
            assert cell.data_type == "s", name  # text, not a formula
            assert cell.value == "'" + value, name
    # nothing in the workbook is a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
