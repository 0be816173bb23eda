"""Point 7 and 1: the upload page (processed by the task queue), batch list and status JSON, the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.conf import Conf

from govcredit.catalog.models import RecordType
from govcredit.intake.models import BatchStatus, ImportBatch

from .conftest import csv_bytes, penalty


@pytest.fixture
def sync_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-q2 runs tasks in-process (its own sync mode), so the page's async_task call is exercised."""
    monkeypatch.setattr(Conf, "SYNC", True)


def _client(city: Any, username: str) -> Client:
    client = Client()
    client.force_login(city.users[username], backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_upload_page_processes_in_background_and_reports(city: Any, sync_queue: None) -> None:
    client = _client(city, "submitter")
    page = client.get("/intake/upload/")
    assert page.status_code == 200 and "上传归集文件" in page.content.decode()
    rows = [penalty(i) for i in range(1, 6)] + [penalty(6, **{"行政相对人类别": "法人"})]
    upload = SimpleUploadedFile("处罚.csv", csv_bytes(rows, encoding="gbk"), content_type="text/csv")
    rtype = RecordType.objects.get(name="行政处罚")
    resp = client.post("/intake/upload/", {"record_type": rtype.pk, "org": city.orgs["scjg"].pk, "file": upload})
    assert resp.status_code == 302
    batch = ImportBatch.objects.get()
    assert resp["Location"].endswith(f"/intake/batches/{batch.pk}/")
    assert batch.status == BatchStatus.DONE and batch.accepted == 5 and batch.rejected == 1
    assert batch.created_by == city.users["submitter"] and batch.file_name == "处罚.csv"
    status = client.get(f"/intake/batches/{batch.pk}/status.json").json()
    assert status["status"] == "已完成" and status["finished"] and status["percent"] == 100
    assert (status["accepted"], status["rejected"], status["has_report"]) == (5, 1, True)
    detail = client.get(f"/intake/batches/{batch.pk}/").content.decode()
    assert "下载错误报告" in detail and "行政相对人类别：“法人”不在可选值内" in detail
    report = client.get(f"/intake/batches/{batch.pk}/report.xlsx")
    assert report.status_code == 200 and report["Content-Disposition"].startswith("attachment")
    listing = client.get("/intake/").content.decode()
    assert f"#{batch.pk}" in listing and "submitter" in listing and "已完成" in listing


def test_scope_of_pages(city: Any, sync_queue: None) -> None:
    client = _client(city, "submitter")
    rtype = RecordType.objects.get(name="行政处罚")
    upload = SimpleUploadedFile("a.csv", csv_bytes([penalty(1)]))
    resp = client.post("/intake/upload/", {"record_type": rtype.pk, "org": city.orgs["qinhuai"].pk, "file": upload})
    assert resp.status_code == 200 and "选择一个有效的选项" in resp.content.decode()  # not in the submitter's scope
    assert not ImportBatch.objects.exists()
    upload = SimpleUploadedFile("a.csv", csv_bytes([penalty(1)]))
    client.post("/intake/upload/", {"record_type": rtype.pk, "org": city.orgs["scjg"].pk, "file": upload})
    batch = ImportBatch.objects.get()
    district = _client(city, "district")  # 玄武区 does not see 市场监管局's batches
    assert district.get(f"/intake/batches/{batch.pk}/").status_code == 404
    assert district.get(f"/intake/batches/{batch.pk}/status.json").status_code == 404
    assert _client(city, "credit").get(f"/intake/batches/{batch.pk}/").status_code == 200
    assert _client(city, "public").get("/intake/").status_code == 403


def test_api_posts_rows_and_lists_batches(city: Any) -> None:
    client = _client(city, "submitter")
    rows = [{k: v for k, v in penalty(i).items() if v} for i in range(1, 4)]
    rows.append({**rows[0], "行政处罚决定书文号": "宁市监罚〔2025〕99号", "处罚类别": "训诫"})
    csrf = client.get("/intake/upload/").cookies["csrftoken"].value
    resp = client.post("/api/intake/batches", data=json.dumps({"record_type": "行政处罚", "rows": rows}),
                       content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "已完成" and body["accepted"] == 3 and body["rejected"] == 1
    assert body["errors"] == [{"row": 4, "reason": body["errors"][0]["reason"], "values": body["errors"][0]["values"]}]
    assert body["errors"][0]["reason"].startswith("处罚类别：“训诫”不在可选值内")
    assert body["org_code"] == city.orgs["scjg"].credit_code and body["actor"] == "submitter"
    again = client.post("/api/intake/batches", data=json.dumps({"record_type": "xzcf", "rows": rows[:3]}),
                        content_type="application/json", HTTP_X_CSRFTOKEN=csrf).json()
    assert (again["accepted"], again["unchanged"]) == (0, 3)
    listing = client.get("/api/intake/batches").json()
    assert listing["count"] == 2 and listing["items"][0]["id"] == again["id"]
    assert client.get(f"/api/intake/batches/{body['id']}").json()["rejected"] == 1
    errors = client.get(f"/api/intake/batches/{body['id']}/errors").json()
    assert errors[0]["row"] == 4
    assert client.get(f"/api/intake/batches/{body['id']}/report").status_code == 200
    bad = client.post("/api/intake/batches", data=json.dumps({"record_type": "行政处罚", "rows": rows,
                                                              "org": city.orgs["qinhuai"].credit_code}),
                      content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert bad.status_code == 403
    unknown = client.post("/api/intake/batches", data=json.dumps({"record_type": "行政处罚", "rows": [{"乱写": 1}]}),
                          content_type="application/json", HTTP_X_CSRFTOKEN=csrf).json()
    assert unknown["status"] == "已退回" and "未知的列" in unknown["message"]


def test_api_upload_goes_to_the_queue(city: Any, sync_queue: None) -> None:
    client = _client(city, "submitter")
    csrf = client.get("/intake/upload/").cookies["csrftoken"].value
    upload = SimpleUploadedFile("a.csv", csv_bytes([penalty(i) for i in range(1, 4)]))
    resp = client.post("/api/intake/batches/upload", {"file": upload, "record_type": "行政处罚"}, HTTP_X_CSRFTOKEN=csrf)
    assert resp.status_code == 202, resp.content
    batch = ImportBatch.objects.get(pk=resp.json()["id"])
    assert batch.status == BatchStatus.DONE and batch.accepted == 3 and batch.source == "api"
