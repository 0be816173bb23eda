"""The personnel office's way through pages and API: find, state the purpose, read the archive with ID
numbers masked, reveal one (logged), issue a report, download its PDF; the public verifies it; the subject
sees who looked; the credit office audits and exports. No page shows a full ID number without the reveal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from govcredit.reports.models import ArchiveQuery, CreditReport, QueryAction
from govcredit.testing import XUANWU_ID, City, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def client_for(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def test_the_personnel_office_queries_with_a_purpose_and_issues_a_report(city: City) -> None:
    client = client_for(city, "personnel")
    person = city.people["xuanwu"]
    found = client.get(reverse("reports:find"), {"q": "王小"}).content.decode()
    assert reverse("reports:purpose", args=["person", person.pk]) in found and XUANWU_ID not in found
    # The person page itself shows the masked number only, with the way to the logged reveal.
    page = client.get(reverse("subjects:person_detail", args=[person.pk])).content.decode()
    assert XUANWU_ID not in page and person.id_masked in page
    refused = client.post(reverse("reports:purpose", args=["person", person.pk]), {"purpose": "职务晋升"})
    assert refused.status_code == 200 and not ArchiveQuery.objects.exists()
    answer = client.post(reverse("reports:purpose", args=["person", person.pk]),
                         {"purpose": "职务晋升", "case_reference": "宁组干考〔2026〕12号"})
    query = ArchiveQuery.objects.get()
    assert answer["Location"] == reverse("reports:archive", args=[query.pk])
    archive = client.get(answer["Location"]).content.decode()
    assert "玄纪〔2025〕7号" in archive and XUANWU_ID not in archive
    client.post(reverse("reports:reveal", args=[query.pk]))
    assert XUANWU_ID in client.get(answer["Location"]).content.decode()
    assert XUANWU_ID not in client.get(answer["Location"]).content.decode(), "shown once per reveal"
    assert ArchiveQuery.objects.filter(action=QueryAction.FULL_ID).count() == 1
    issued = client.post(reverse("reports:issue", args=[query.pk]))
    report = CreditReport.objects.get()
    assert issued["Location"] == reverse("reports:report", args=[report.number])
    page = client.get(issued["Location"]).content.decode()
    assert "有政务失信记录 1 条" in page and "核验码" in page and XUANWU_ID not in page
    pdf = client.get(reverse("reports:report_pdf", args=[report.number]))
    assert pdf["Content-Type"] == "application/pdf" and streamed(pdf).startswith(b"%PDF")


def test_public_verification_page(city: City) -> None:
    client = client_for(city, "personnel")
    response = client.post("/api/reports/reports", {"subject_kind": "person", "subject_id": city.people["xuanwu"].pk,
                                                    "purpose": "选拔任用", "case_reference": "考-1"},
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert XUANWU_ID not in str(body)
    anyone = Client()
    ok = anyone.get(reverse("reports:verify"), {"number": body["number"], "code": body["code"]}).content.decode()
    assert "报告真实有效" in ok and "王*" in ok and "王小明" not in ok
    wrong = anyone.get(reverse("reports:verify"), {"number": body["number"], "code": "ZZZZZZZZ"}).content.decode()
    assert "核验码与报告编号不符" in wrong
    forged = anyone.get(reverse("reports:verify"), {"number": "GCR209901019999", "code": body["code"]})
    assert "不是本平台出具的" in forged.content.decode()
    pdf = streamed(client.get(body["pdf_url"]))
    upload = io.BytesIO(pdf + b"%tampered\n")
    upload.name = "report.pdf"
    edited = anyone.post(reverse("reports:verify"), {"file": upload}).content.decode()
    assert "已被修改" in edited
    api = anyone.get("/api/reports/verify", {"number": body["number"], "code": body["code"]}).json()
    assert api["genuine"] is True and api["changed_since"] is False


def test_the_reveal_api_logs_and_answers_only_allowed_roles(city: City) -> None:
    payload = {"subject_kind": "person", "subject_id": city.people["xuanwu"].pk, "purpose": "其他",
               "purpose_text": "人事档案核对", "case_reference": "核-2"}
    answer = client_for(city, "personnel").post("/api/reports/reveal", payload, content_type="application/json")
    assert answer.json() == {"id_number": XUANWU_ID}
    for role in ("district", "subject", "public"):
        refused = client_for(city, role).post("/api/reports/reveal", payload, content_type="application/json")
        assert refused.status_code == 403 and XUANWU_ID not in refused.content.decode()
    assert ArchiveQuery.objects.filter(action=QueryAction.FULL_ID).count() == 1


def test_the_subject_sees_who_looked_and_the_credit_office_exports_the_audit(city: City) -> None:
    client_for(city, "personnel").post("/api/reports/queries", {
        "subject_kind": "person", "subject_id": city.people["xuanwu"].pk, "purpose": "评优评先",
        "case_reference": "评-7"}, content_type="application/json")
    mine = client_for(city, "subject").get(reverse("reports:looked_at_me")).content.decode()
    assert "评-7" in mine and "personnel" in mine
    credit = client_for(city, "credit")
    assert "评-7" in credit.get(reverse("reports:audit"), {"purpose": "评优评先"}).content.decode()
    assert "评-7" not in credit.get(reverse("reports:audit"), {"purpose": "选拔任用"}).content.decode()
    xlsx = credit.get(reverse("reports:audit"), {"purpose": "评优评先", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "查询时间" and rows[1][7] == "评-7" and len(rows) == 2
