"""The clerk's round trip through Excel: a blank template per record type, filled in and uploaded as it
is; an error report fixed and uploaded back as it is (its extra columns ignored, neutralised cells
restored)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from govcredit.accounts.services import issue_token
from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import RecordType
from govcredit.intake.models import BatchStatus
from govcredit.intake.template import column_title
from govcredit.testing import City, streamed

from .conftest import csv_bytes, penalty, run_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


def _download(client: Client, code: str) -> bytes:
    response = client.get(f"/intake/templates/{code}.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    return streamed(response)


def test_every_type_has_a_template_with_its_catalog_columns(city: City) -> None:
    client = Client()
    client.force_login(city.users["submitter"])
    page = client.get("/intake/upload/").content.decode()
    for rtype in RecordType.objects.filter(is_active=True):
        assert f"/intake/templates/{rtype.code}.xlsx" in page
        book = _workbook(_download(client, rtype.code))
        fields = rtype.current().fields
        sheet = book.worksheets[0]
        header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]
        assert header == [column_title(f) for f in fields]
        assert all(h.startswith("*") == bool(f.get("required")) for h, f in zip(header, fields, strict=True))
        lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
        assert len(lists) == sum(1 for f in fields if f["type"] == "enum" and f.get("choices"))
        notes = book["填写说明"]
        assert [c.value for c in notes[1]][:4] == ["列名", "必填", "类型", "可选值"]
        assert {notes.cell(row=i + 2, column=1).value for i in range(len(fields))} == {f["label"] for f in fields}


def test_a_filled_template_is_uploaded_as_it_is(city: City, tmp_path: Path) -> None:
    client = Client()
    client.force_login(city.users["submitter"])
    book = _workbook(_download(client, "xzcf"))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for n in (1, 2, 4):  # a company, another, a natural person
        row = penalty(n)
        by_label = {k.replace("(", "（").replace(")", "）"): v for k, v in row.items()} | row
        for col, title in enumerate(header, start=1):
            value = by_label.get(title.lstrip("*"), "")
            if value:
                sheet.cell(row=n + 1, column=col, value=value)
    path = tmp_path / "filled.xlsx"
    book.save(path)
    batch = run_file(city, path)
    assert (batch.status, batch.accepted, batch.rejected) == (BatchStatus.DONE, 3, 0), batch.message


def test_the_template_through_the_api_and_who_may_have_it(city: City) -> None:
    _, key = issue_token(city.users["district"], "t")
    answer = Client().get("/api/intake/templates/xzcf", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200 and answer["Content-Type"] == XLSX
    assert _workbook(streamed(answer)).worksheets[0].title == "行政处罚"
    assert Client().get("/api/intake/templates/nosuch", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 404
    _, public = issue_token(city.users["public"], "t")
    assert Client().get("/api/intake/templates/xzcf", HTTP_AUTHORIZATION=f"Bearer {public}").status_code == 403
    outsider = Client()
    outsider.force_login(city.users["public"])
    assert outsider.get("/intake/templates/xzcf.xlsx").status_code == 403


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_fixed_error_report_goes_back_as_it_is(city: City, tmp_path: Path, suffix: str) -> None:
    rows = [penalty(1), penalty(2, **{"行政处罚决定书文号": "=宁市监罚〔2025〕2号", "处罚类别": "罚站"}), penalty(3)]
    first = tmp_path / "first.csv"
    first.write_bytes(csv_bytes(rows))
    batch = run_file(city, first)
    assert (batch.accepted, batch.rejected) == (2, 1)
    report = openpyxl.load_workbook(batch.error_report)
    sheet = report.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["错误原因", "原文件行号"]
    kinds = header.index("处罚类别") + 1
    assert sheet.cell(row=2, column=header.index("行政处罚决定书文号") + 1).value == "'=宁市监罚〔2025〕2号"
    sheet.cell(row=2, column=kinds, value="罚款")  # the clerk's fix; nothing else is touched
    fixed = tmp_path / f"fixed.{suffix}"
    if suffix == "xlsx":
        report.save(fixed)
    else:
        values = [[c.value or "" for c in r] for r in sheet.iter_rows()]
        fixed.write_text("\n".join(",".join(f'"{v}"' for v in r) for r in values), encoding="utf-8")
    again = run_file(city, fixed)
    assert (again.status, again.accepted, again.rejected) == (BatchStatus.DONE, 1, 0), again.message
    assert CreditRecord.objects.filter(decision_number="=宁市监罚〔2025〕2号").count() == 1
