"""The pages: filing with attachments, the portal's counterparty objection, following a case without login,
the credit commitment, deciding from the case page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.remedies.models import Objection, Repair
from govcredit.testing import COUNTERPARTY_ID, City, publish_recent_penalty

from .conftest import PDF, PNG, client_for, statistics_record

pytestmark = pytest.mark.django_db


def _code(page: str) -> tuple[str, str]:
    number = re.search(r'id="filed-number">([A-Z0-9]+)<', page)
    code = re.search(r'id="filed-code">([A-Z0-9]+)<', page)
    assert number and code, page
    return number.group(1), code.group(1)


def test_subject_files_from_the_record_page_and_follows_it_without_login(city: City) -> None:
    record = statistics_record(city)
    client = client_for(city.users["subject"])
    detail = client.get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    assert reverse("remedies:objection_create", args=[record.pk]) in detail
    response = client.post(reverse("remedies:objection_create", args=[record.pk]), {
        "ground": "记录内容有误", "reasons": "认定日期有误",
        "attachments": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)]})
    assert response.status_code == 200
    number, code = _code(response.content.decode())
    objection = Objection.objects.get(number=number)
    assert objection.files.count() == 2
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.OBJECTION

    district = client_for(city.users["district"])
    url = reverse("remedies:objection_detail", args=[objection.pk])
    assert district.post(url, {"action": "uphold", "reason": "跳过受理"}).status_code == 200  # refused, shown on the form
    assert Objection.objects.get(pk=objection.pk).case.status == "待受理"
    assert district.post(url, {"action": "accept", "reason": "受理"}).status_code == 302
    assert district.post(url, {"action": "uphold", "reason": "认定无误"}).status_code == 302

    anonymous = Client()
    page = anonymous.post(reverse("remedies:track"), {"number": number, "code": code}).content.decode()
    assert "维持原记录" in page and "认定无误" in page
    wrong = anonymous.post(reverse("remedies:track"), {"number": number, "code": "AAAAAAAAAA"}).content.decode()
    missing = anonymous.post(reverse("remedies:track"), {"number": "YY202601010001", "code": "AAAAAAAAAA"}).content.decode()
    assert "未找到该编号的申请，或查询码不正确" in wrong and "认定无误" not in wrong
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", wrong.replace(number, "X")) == token.sub("", missing.replace("YY202601010001", "X"))


def test_bad_attachment_is_refused_on_the_form(city: City) -> None:
    record = statistics_record(city)
    response = client_for(city.users["subject"]).post(reverse("remedies:objection_create", args=[record.pk]), {
        "ground": "其他", "reasons": "x", "attachments": [SimpleUploadedFile("a.pdf", b"<html>not a pdf")]})
    assert response.status_code == 200 and "不是 PDF、JPEG 或 PNG" in response.content.decode()
    assert not Objection.objects.exists()


def test_counterparty_objects_from_the_portal(city: City, settings: Any) -> None:
    record = publish_recent_penalty(city)
    publication = record.publication
    client = Client()
    detail = client.get(reverse("portal:detail", args=[publication.pk])).content.decode()
    url = reverse("remedies:portal_objection", args=[publication.pk])
    assert url in detail
    form = {"applicant_name": "张三丰", "contact": "13800000000", "ground": "记录内容有误", "reasons": "罚款金额有误"}
    refused = client.post(url, {**form, "verification": "320106199001017890"}).content.decode()
    assert "无法核验" in refused and not Objection.objects.exists()
    page = client.post(url, {**form, "verification": COUNTERPARTY_ID}).content.decode()
    number, _ = _code(page)
    assert Objection.objects.get(number=number).applicant_kind == "行政相对人"
    detail = client.get(reverse("portal:detail", args=[publication.pk])).content.decode()
    assert 'id="portal-status">异议中' in detail


def test_tries_are_rate_limited(city: City, settings: Any) -> None:
    settings.GOVCREDIT_REMEDIES_RATE = "2/m"
    client = Client()
    codes = [client.post(reverse("remedies:track"), {"number": "YY1", "code": "X"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/remedies/track?number=YY1&code=X").status_code == 429


def test_repair_with_the_commitment(city: City) -> None:
    record = statistics_record(city)
    client = client_for(city.users["subject"])
    form = client.get(reverse("remedies:repair_create", args=[record.pk])).content.decode()
    assert reverse("remedies:commitment", args=[record.pk]) in form
    commitment = client.get(reverse("remedies:commitment", args=[record.pk])).content.decode()
    assert "信用承诺书" in commitment and record.decision_number in commitment and "信用修复管理办法" in commitment
    response = client.post(reverse("remedies:repair_create", args=[record.pk]), {
        "corrected": "已更正统计数据", "commitment": SimpleUploadedFile("承诺书.pdf", PDF)})
    number, code = _code(response.content.decode())
    repair = Repair.objects.get(number=number)
    district = client_for(city.users["district"])
    url = reverse("remedies:repair_detail", args=[repair.pk])
    assert district.post(url, {"action": "accept", "reason": "受理"}).status_code == 302
    assert district.post(url, {"action": "approve", "reason": "已纠正"}).status_code == 302
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.REPAIRED
    page = Client().post(reverse("remedies:track"), {"number": number, "code": code}).content.decode()
    assert "已修复" in page


def test_pages_in_english(city: City) -> None:
    record = statistics_record(city)
    client = client_for(city.users["subject"])
    pages = {reverse("remedies:index"): "Objections and credit repair",
             reverse("remedies:objection_create", args=[record.pk]): "Submit the objection",
             reverse("remedies:repair_create", args=[record.pk]): "Open the credit commitment",
             reverse("remedies:commitment", args=[record.pk]): "solemnly commits"}
    track = reverse("remedies:track")
    for url, text in pages.items():
        assert text in client.get(f"/en{url}").content.decode(), url
    assert "Follow an objection or credit repair" in Client().get(f"/en{track}").content.decode()


def test_commitment_pdf_to_sign_and_upload(city: City, time_machine: Any) -> None:
    """The 信用承诺书 is a PDF (Typst): its number, the subject with its ID number masked, the record, the
    commitments, the signature and seal area and the date; downloaded from the repair form, signed and
    uploaded back with the application; nobody else's record."""
    from django.utils import translation

    from govcredit.remedies import commitment
    from govcredit.testing import XUANWU_ID, on_day

    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    record = statistics_record(city)
    client = client_for(city.users["subject"])
    url = reverse("remedies:commitment_pdf", args=[record.pk])
    assert url in client.get(reverse("remedies:repair_create", args=[record.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    number = commitment.number(record, dt.date(2026, 11, 2))
    assert number in response["Content-Disposition"] or "%E4%BF%A1" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF") and number.encode() in response.content  # the document's keywords
    content = commitment.content(record, dt.date(2026, 11, 2))
    shown = str(content)
    assert ["身份证号", city.people["xuanwu"].id_masked] in content["subject"] and XUANWU_ID not in shown
    assert record.decision_number in shown and "信用修复管理办法" in content["preamble"] and len(content["commitments"]) == 4
    assert content["labels"]["signer"] == "承诺人（签字或盖章）：" and "2026-11-02" in content["labels"]["upload_hint"]
    with translation.override("en"):
        english = commitment.content(record, dt.date(2026, 11, 2))
    assert english["title"] == "Credit commitment" and "solemnly commits" in english["preamble"]
    assert not re.search(r"[\u4e00-\u9fff]", str(english["labels"]) + str(english["commitments"]))
    # another subject's record is not found, other roles may not ask
    other = statistics_record(city, person="qinhuai")
    assert client.get(reverse("remedies:commitment_pdf", args=[other.pk])).status_code == 404
    assert client_for(city.users["district"]).get(url).status_code == 403
    # the signed copy goes back with the application (the existing upload)
    filed = client.post(reverse("remedies:repair_create", args=[record.pk]), {
        "corrected": "已更正统计数据", "commitment": SimpleUploadedFile("承诺书（已签字）.pdf", response.content)})
    repair = Repair.objects.get(number=_code(filed.content.decode())[0])
    assert repair.files.filter(purpose="信用承诺书", size=len(response.content)).exists()
