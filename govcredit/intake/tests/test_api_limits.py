"""Issue 8 item 5: the API's documented 10,000-row batches fit in a request body, and a body over the
limit is answered in the API's JSON error format (not Django's HTML 400)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from govcredit.accounts.services import issue_token
from govcredit.intake.sources import limits

from .conftest import penalty


def _client(city: Any) -> Client:
    _token, raw = issue_token(city.users["submitter"], name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)


def _body(rows: int) -> str:
    return json.dumps({"record_type": "行政处罚", "dry_run": True,
                       "rows": [{k: v for k, v in penalty(i).items() if v} for i in range(1, rows + 1)]},
                      ensure_ascii=False)


def test_ten_thousand_rows_can_be_posted(city: Any) -> None:
    body = _body(limits().api_max_rows)
    response = _client(city).post("/api/intake/batches", body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["accepted"] == limits().api_max_rows


def test_a_body_over_the_limit_is_a_json_error_in_chinese(city: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024**2
    response = _client(city).post("/api/intake/batches", _body(2000), content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("请求体超过 1 MB 上限")


def test_refused_submissions_are_answered_by_the_api_handler_naming_the_input(city: Any) -> None:
    """FileRejected is a DomainError: 422, the message, and the input it is about; nothing is stored."""
    from govcredit.intake.models import ImportBatch

    before = ImportBatch.objects.count()
    client = _client(city)
    unknown = client.post("/api/intake/batches", json.dumps({"record_type": "不存在的类别", "rows": [{"乱写": 1}]}),
                          content_type="application/json")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "record_type" and "没有信息类别" in unknown.json()["detail"]
    too_many = json.dumps({"record_type": "行政处罚", "rows": [{}] * (limits().api_max_rows + 1)})
    refused = client.post("/api/intake/batches", too_many, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "rows" and "一次最多提交" in refused.json()["detail"]
    assert ImportBatch.objects.count() == before
