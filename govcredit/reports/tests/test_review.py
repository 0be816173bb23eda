"""任前审查 through its page: a list of candidates in, one report per matched candidate, a zip of the PDFs and
a summary flagging those with records; rows that match nobody, or whose name and number disagree, or that
give only a name, are listed with the reason and never guessed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.test import Client
from django.urls import reverse
from django_q.models import OrmQ

from govcredit.reports import review
from govcredit.reports.models import CreditReport, ReviewBatch, ReviewStatus
from govcredit.subjects.identifiers import make_id_number
from govcredit.testing import QINHUAI_ID, XUANWU_ID, City, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def candidates(city: City) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    rows = [
        ["2026年第二批拟提拔干部名单"],
        ["姓名", "身份证号", "单位名称", "统一社会信用代码"],
        ["王小明", XUANWU_ID, "", ""],
        ["李秦淮", QINHUAI_ID.lower(), "", ""],
        ["张无效", "320102198506151230", "", ""],
        ["王小明", "", "", ""],
        ["王大明", XUANWU_ID, "", ""],
        ["赵不在", make_id_number("320105", dt.date(1990, 2, 3), 77), "", ""],
        ["", "", "", city.orgs["qinhuai"].credit_code],
        ["", "", "不存在的单位", ""],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def test_a_list_of_candidates_becomes_reports_and_a_summary(city: City) -> None:
    client = Client()
    client.force_login(city.users["personnel"])
    upload = io.BytesIO(candidates(city))
    upload.name = "拟提拔名单.xlsx"
    answer = client.post(reverse("reports:reviews"), {"purpose": "选拔任用", "case_reference": "宁组干〔2026〕8号",
                                                      "file": upload})
    batch = ReviewBatch.objects.get()
    assert answer["Location"] == reverse("reports:review_detail", args=[batch.pk])
    assert OrmQ.objects.count() == 1, "the batch runs in the task queue"
    assert batch.total == 8 and batch.status == ReviewStatus.QUEUED
    assert review.run(batch.pk) == ReviewStatus.DONE
    batch.refresh_from_db()
    assert (batch.flagged, batch.unmatched, batch.done) == (1, 5, 8)
    problems = {r["row"]: r["problem"] for r in batch.rows}
    assert problems[3] == problems[4] == problems[9] == ""
    assert "身份证号无效" in problems[5] and "校验码" in problems[5]
    assert "只有姓名" in problems[6] and "同名 1 人" in problems[6]
    assert "姓名与身份证号不符" in problems[7] and "王*明" in problems[7]
    assert "没有该身份证号" in problems[8]
    assert "没有该名称的单位" in problems[10]
    assert CreditReport.objects.count() == 3
    status = client.get(reverse("reports:review_status", args=[batch.pk])).json()
    assert status["finished"] and status["percent"] == 100
    page = client.get(reverse("reports:review_detail", args=[batch.pk])).content.decode()
    assert "只有姓名" in page and XUANWU_ID not in page
    zipped = zipfile.ZipFile(io.BytesIO(streamed(client.get(
        reverse("reports:review_file", args=[batch.pk, "zip"])))))
    assert len(zipped.namelist()) == 3 and all(zipped.read(n).startswith(b"%PDF") for n in zipped.namelist())
    sheet = openpyxl.load_workbook(io.BytesIO(streamed(client.get(
        reverse("reports:review_file", args=[batch.pk, "xlsx"]))))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 9 and rows[1][4] == 1 and "有政务失信记录" in str(rows[1][5])
    assert all(XUANWU_ID not in str(row) for row in rows)


def test_a_file_without_known_columns_is_refused_whole(city: City) -> None:
    client = Client()
    client.force_login(city.users["personnel"])
    upload = io.BytesIO("编号,备注\n1,x\n".encode())
    upload.name = "list.csv"
    page = client.post(reverse("reports:reviews"), {"purpose": "选拔任用", "case_reference": "x", "file": upload})
    assert page.status_code == 200 and "没有找到表头" in page.content.decode()
    assert not ReviewBatch.objects.exists()


def test_other_roles_cannot_run_or_read_a_check(city: City) -> None:
    batch = review.submit(city.users["personnel"], f"姓名,身份证号\n王小明,{XUANWU_ID}\n".encode(), "a.csv",
                          purpose="选拔任用", purpose_text="", case_reference="x", verify_url="http://t/")
    for role in ("district", "subject", "submitter", "public"):
        client = Client()
        client.force_login(city.users[role])
        assert client.get(reverse("reports:review_detail", args=[batch.pk])).status_code in (403, 404)
        assert client.get(reverse("reports:reviews")).status_code == 403
