"""The reports' lists are read with intake's reading (``core.reading``): the same encodings, zip-bomb check,
restored cells and header detection."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from govcredit.core.spreadsheet import neutralise
from govcredit.reports.tables import read_table

HEADERS = {"name": ("姓名",), "id_number": ("身份证号", "公民身份号码")}


def test_gb18030_csv_under_a_title_row_with_a_neutralised_cell_restored() -> None:
    text = "候选人名单\n姓名,公民身份号码\n" + f"{neutralise('=王小明')},320102198506151234\n"
    table = read_table(text.encode("gb18030"), "名单.csv", HEADERS, required={"name"})
    assert table.columns == {"name": 0, "id_number": 1}
    assert table.rows == [(3, ["=王小明", "320102198506151234"])]


def test_an_undecodable_file_is_refused_for_the_form() -> None:
    with pytest.raises(ValidationError, match="无法识别文件编码"):
        read_table(b"\xff\xfe\x00\x81\x30" * 10, "a.csv", HEADERS, required={"name"})


def test_a_zip_bomb_is_refused_before_calamine_opens_it() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    with pytest.raises(ValidationError, match="压缩"):
        read_table(out.getvalue(), "名单.xlsx", HEADERS, required={"name"})
