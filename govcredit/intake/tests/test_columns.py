"""Point 2: columns matched by Chinese names (catalog labels and the national standard's names);
unknown, missing required and duplicate columns reported by name before any row is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govcredit.archive.models import CreditRecord
from govcredit.intake.models import BatchStatus

from .conftest import NATIONAL, csv_bytes, penalty, run_file, write


def test_catalog_labels_and_national_names_both_accepted(city: Any, tmp_path: Path) -> None:
    labels = {"行政相对人代码_1(统一社会信用代码)": "统一社会信用代码", "法定代表人": "法定代表人姓名",
              "罚款金额(万元)": "罚款金额（万元）"}
    header = [labels.get(h, h) for h in NATIONAL]
    rows = [{labels.get(k, k): v for k, v in penalty(i).items()} for i in range(1, 6)]
    batch = run_file(city, write(tmp_path, "labels.csv", csv_bytes(rows, header)))
    assert batch.status == BatchStatus.DONE and batch.accepted == 5, batch.message
    spaced = ["  " + h.replace("(", "（").replace(")", "）") + " " for h in NATIONAL]  # full-width and padded
    rows = [{s: penalty(i)[h] for s, h in zip(spaced, NATIONAL, strict=True)} for i in range(6, 9)]
    batch = run_file(city, write(tmp_path, "spaced.csv", csv_bytes(rows, spaced)))
    assert batch.status == BatchStatus.DONE and batch.accepted == 3, batch.message


def test_unknown_missing_and_duplicate_columns_named_nothing_written(city: Any, tmp_path: Path) -> None:
    before = CreditRecord.objects.count()
    header = [h for h in NATIONAL if h not in ("行政处罚决定书文号", "处罚机关")]
    header += ["统一社会信用代码", "处罚 机关名称", "备注", "罚款金额（万元）"]
    batch = run_file(city, write(tmp_path, "bad.csv", csv_bytes([penalty(1)], header)))
    assert batch.status == BatchStatus.RETURNED
    msg = batch.message
    assert "未知的列" in msg and "“处罚 机关名称”" in msg
    assert "缺少必填列" in msg and "“行政处罚决定书文号”" in msg and "“处罚机关”" in msg
    assert "重复的列" in msg and "“行政相对人代码_1(统一社会信用代码)”和“统一社会信用代码”都对应字段“行政相对人代码_1(统一社会信用代码)”" in msg
    assert "“备注”出现了两次" in msg
    assert "“罚款金额（万元）”出现了两次（S 列和 AF 列）" in msg  # full-width brackets are the same name
    assert CreditRecord.objects.count() == before


def test_blank_column_name_in_the_middle(city: Any, tmp_path: Path) -> None:
    header = NATIONAL[:3] + [""] + NATIONAL[3:] + ["", ""]  # trailing blanks are ignored
    batch = run_file(city, write(tmp_path, "blank.csv", csv_bytes([penalty(1)], header)))
    assert batch.status == BatchStatus.RETURNED
    assert "没有列名的列：D 列" in batch.message
