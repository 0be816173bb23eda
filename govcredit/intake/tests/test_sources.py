"""Point 1 and 6: every source format, and bad files refused with a clear Chinese message, nothing written."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import resource
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from govcredit.archive.models import CreditRecord
from govcredit.intake.models import BatchStatus
from govcredit.ledger.models import LedgerEntry

from .conftest import NATIONAL, csv_bytes, jsonl_bytes, penalty, run_file, write


def _counts() -> tuple[int, int]:
    return CreditRecord.objects.count(), LedgerEntry.objects.count()


def _xlsx(path: Path, rows: list[dict[str, Any]], *, title: str | None = None, sheet: str = "Sheet1",
          first_sheet: str | None = None, date_cells: bool = False, merge_header: bool = False) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    if first_sheet:
        other = wb.add_worksheet(first_sheet)
        other.write_string(0, 0, "说明：数据在另一个工作表")
    ws = wb.add_worksheet(sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(NATIONAL) - 1, title)
        r = 1
    for c, name in enumerate(NATIONAL):
        ws.write_string(r, c, name)
    if merge_header:
        ws.merge_range(r, 0, r, 1, NATIONAL[0])
    for row in rows:
        r += 1
        for c, name in enumerate(NATIONAL):
            value = row.get(name, "")
            if date_cells and name == "处罚决定日期" and value:
                ws.write_datetime(r, c, dt.datetime.fromisoformat(value), date_fmt)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value != "":
                ws.write_string(r, c, value)
    wb.close()
    return path


# --------------------------------------------------------------------------- good sources

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_detected(city: Any, tmp_path: Path, encoding: str) -> None:
    rows = [penalty(i) for i in range(1, 11)]
    rows[2]["违法事实"] = "多行事实：\n第二行，含逗号, 和“引号”"
    path = write(tmp_path, f"{encoding}.csv", csv_bytes(rows, encoding=encoding))
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE, batch.message
    assert (batch.accepted, batch.rejected) == (10, 0)
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕3号").facts == "多行事实：\n第二行，含逗号, 和“引号”"


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""])
def test_csv_row_estimate_is_the_number_of_data_lines(city: Any, tmp_path: Path, ending: bytes) -> None:
    """The progress display's total: a final newline (or none) does not count as one more row."""
    data = csv_bytes([penalty(i) for i in range(1, 8)]).rstrip(b"\r\n") + ending
    batch = run_file(city, write(tmp_path, "e.csv", data))
    assert batch.status == BatchStatus.DONE and batch.accepted == 7
    assert batch.rows_estimate == 7


def test_csv_title_row_above_header(city: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", csv_bytes([penalty(1), penalty(2)], title="南京市市场监督管理局行政处罚信息（2025年3月）"))
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE, batch.message
    assert batch.header_row == 2 and batch.accepted == 2


def test_xlsx_first_sheet_title_row_and_date_cells(city: Any, tmp_path: Path) -> None:
    rows = [penalty(i) for i in range(1, 6)]
    rows[1]["处罚决定日期"] = "2025-01-02"
    path = _xlsx(tmp_path / "a.xlsx", rows, title="行政处罚信息", date_cells=True)
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE, batch.message
    assert batch.header_row == 2 and batch.accepted == 5
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕2号").decision_date == dt.date(2025, 1, 2)


def test_xlsx_named_sheet_and_excel_serial_dates(city: Any, tmp_path: Path) -> None:
    rows = [penalty(1, **{"处罚决定日期": 45658}), penalty(2, **{"处罚决定日期": "2025年3月5日"})]
    path = _xlsx(tmp_path / "b.xlsx", rows, sheet="处罚", first_sheet="说明")
    batch = run_file(city, path, sheet="处罚")
    assert batch.status == BatchStatus.DONE, batch.message
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕1号").decision_date == dt.date(2025, 1, 1)
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕2号").decision_date == dt.date(2025, 3, 5)
    missing = run_file(city, path, sheet="不存在")
    assert missing.status == BatchStatus.RETURNED and "工作表“不存在”不存在" in missing.message


def test_json_lines(city: Any, tmp_path: Path) -> None:
    rows = [{k: v for k, v in penalty(i).items() if v} for i in range(1, 6)]
    path = write(tmp_path, "a.jsonl", jsonl_bytes(rows))
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE, batch.message
    assert batch.accepted == 5


# --------------------------------------------------------------------------- bad files

def _refused(city: Any, path: Path, *fragments: str, **kw: Any) -> None:
    before = _counts()
    t0 = time.monotonic()
    batch = run_file(city, path, **kw)
    assert batch.status == BatchStatus.RETURNED, batch.message
    for fragment in fragments:
        assert fragment in batch.message, batch.message
    assert _counts() == before
    assert time.monotonic() - t0 < 60


def test_empty_file(city: Any, tmp_path: Path) -> None:
    _refused(city, write(tmp_path, "empty.csv", b""), "文件为空")
    _refused(city, write(tmp_path, "bom.csv", b"\xef\xbb\xbf\r\n"), "文件为空")


def test_wrong_encoding(city: Any, tmp_path: Path) -> None:
    _refused(city, write(tmp_path, "u16.csv", "行政相对人名称\n".encode("utf-16")), "UTF-16")
    # UTF-8 for the first 300 KB, then GBK: found by the full scan before anything is written.
    good = csv_bytes([penalty(i) for i in range(1, 700)])
    mixed = good + csv_bytes([penalty(9999, **{"违法事实": "乱码"})], header=[]).split(b"\r\n", 1)[1].decode().encode("gbk")
    _refused(city, write(tmp_path, "mixed.csv", mixed), "编码错误", "UTF-8")
    _refused(city, write(tmp_path, "latin.csv", bytes(range(0x80, 0x100)) * 50), "编码")


def test_binary_junk(city: Any, tmp_path: Path) -> None:
    _refused(city, write(tmp_path, "junk.csv", os.urandom(200_000)), "二进制")
    _refused(city, write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(5000)), ".xls")


def test_huge_single_line_is_streamed_not_loaded(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    block = ("行政相对人名称," * 4096).encode()
    with path.open("wb") as f:
        f.write(",".join(NATIONAL).encode() + b"\n")
        written = 0
        while written < 200 * 1024**2:
            f.write(block)
            written += len(block)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _refused(city, path, "第 2 行长度超过")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mb < 100, f"内存增长 {grown_mb:.0f} MB"


def test_header_line_without_newline(city: Any, tmp_path: Path) -> None:
    path = tmp_path / "noline.csv"
    with path.open("wb") as f:
        for _ in range(3):
            f.write(b"x" * 1024**2)
    _refused(city, path, "第 1 行长度超过")


def test_xlsx_zip_bomb(city: Any, tmp_path: Path, settings: Any) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            zero = b"\0" * 1024**2
            for _ in range(64):
                member.write(zero)
    assert path.stat().st_size < 1024**2
    _refused(city, path, "压缩炸弹")
    settings.INTAKE_LIMITS = {"xlsx_max_unpacked": 16 * 1024**2, "xlsx_max_ratio": 10**9}
    _refused(city, path, "压缩炸弹", "超过上限")


def test_not_a_real_xlsx(city: Any, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    _refused(city, write(tmp_path, "fake.xlsx", buf.getvalue()), "不是有效的 XLSX")
    _refused(city, write(tmp_path, "broken.xlsx", b"PK\x03\x04" + os.urandom(3000)), "XLSX")


def test_ten_thousand_columns(city: Any, tmp_path: Path) -> None:
    header = NATIONAL + [f"多余列{i}" for i in range(10_000 - len(NATIONAL))]
    path = write(tmp_path, "wide.csv", ",".join(header).encode() + b"\n" + b"1," * 9999 + b"1\n")
    _refused(city, path, "10,000 列", "上限 200 列")


def test_merged_header_cells(city: Any, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "merged.xlsx", [penalty(1)], title="标题（合并单元格没问题）", merge_header=True)
    _refused(city, path, "合并单元格", "A2:B2")


def test_malformed_json_lines(city: Any, tmp_path: Path) -> None:
    good = jsonl_bytes([{k: v for k, v in penalty(i).items() if v} for i in range(1, 5)])
    _refused(city, write(tmp_path, "bad.jsonl", good + '\n{"行政相对人名称": '.encode()), "第 5 行不是有效的 JSON")
    _refused(city, write(tmp_path, "dup.jsonl", b'{"a": 1, "a": 2}\n'), "第 1 行", "重复")
    _refused(city, write(tmp_path, "list.jsonl", good + b"\n[1, 2]\n"), "第 5 条不是 JSON 对象")
    _refused(city, write(tmp_path, "unknown.jsonl", good + '\n{"不存在的字段": 1}\n'.encode()), "未知的列", "不存在的字段")


def _short_csv(rows: list[dict[str, Any]], short: set[int], extra: set[int] | frozenset[int] = frozenset()) -> bytes:
    """The national CSV with the rows in ``short`` one cell short (备注, the last column, left out) and
    those in ``extra`` one cell long."""
    lines = [",".join(NATIONAL)]
    for i, row in enumerate(rows):
        cells = [row.get(h, "") for h in NATIONAL]
        cells = cells[:-1] if i in short else cells + ["多余"] if i in extra else cells
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize(("short", "extra"), [({0}, set()), ({0, 2}, set()), ({1}, {0}), (set(), {0})])
def test_a_short_or_long_first_row_is_read_like_any_other(city: Any, tmp_path: Path, short: set[int],
                                                          extra: set[int]) -> None:
    """Issue 8 item 5: a first data row one cell short refused the whole file with Polars' English message."""
    rows = [penalty(i) for i in range(1, 5)]
    batch = run_file(city, write(tmp_path, "short.csv", _short_csv(rows, short, extra)))
    assert batch.status == BatchStatus.DONE, batch.message
    assert (batch.accepted, batch.rejected) == (4, 0)
    assert CreditRecord.objects.filter(decision_number="宁市监罚〔2025〕2号").get().facts.startswith("当事人")


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part, data in parts.items():
            zf.writestr(part, data)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data"), [
    ("quote.csv", lambda: csv_bytes([penalty(1)]) + b'"\xe5\xbc\xa0,2\r\n'),
    ("quote-head.csv", lambda: ",".join(NATIONAL).encode() + b'\r\n"a,b\r\n' + b"x" * 10),
    ("broken.xlsx", lambda: _zip({"xl/workbook.xml": b"<workbook", "[Content_Types].xml": b"?"})),
    ("bad.json", lambda: b'[{"a": 1,}]'),
    ("bad.jsonl", lambda: b'{"a": tru}\n'),
])
def test_reader_errors_are_explained_in_chinese(city: Any, tmp_path: Path, name: str, data: Any) -> None:
    """No reader's own (English) message reaches the clerk."""
    batch = run_file(city, write(tmp_path, name, data()))
    assert batch.status == BatchStatus.RETURNED, batch.message
    words = [w for w in re.findall(r"[A-Za-z]{3,}", batch.message) if w not in {"CSV", "XLSX", "JSON", "Excel", "WPS",
                                                                              "xlsx"}]
    assert not words, batch.message



def test_xlsx_refuses_an_amount_that_rounds_out_of_range(city: Any, tmp_path: Path) -> None:
    """Issue 8 item 2 in a spreadsheet: as text or as a number cell, 9999999999.9999999 is refused per row."""
    rows = [penalty(1, **{"罚款金额(万元)": "9999999999.9999999"}), penalty(2, **{"罚款金额(万元)": 9999999999.9999999}),
            penalty(3, **{"罚款金额(万元)": 12.5})]
    batch = run_file(city, _xlsx(tmp_path / "amounts.xlsx", rows))
    assert batch.status == BatchStatus.DONE, batch.message
    assert (batch.accepted, batch.rejected) == (1, 2)
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕3号").amount == Decimal("12.5")
