"""The batch list: sortable, exported to XLSX with the page's columns, the upload page's organisation a
search field, and a query count that does not grow with the batches."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from govcredit.catalog.models import RecordType
from govcredit.intake.services import submit_rows
from govcredit.testing import streamed

from .conftest import penalty

pytestmark = pytest.mark.django_db


def _client(city: Any, username: str) -> Client:
    client = Client()
    client.force_login(city.users[username])
    return client


def _batches(city: Any, n: int) -> None:
    rtype = RecordType.objects.get(code="xzcf")
    for i in range(n):
        submit_rows([penalty(i + 1)], record_type=rtype, org=city.orgs["scjg"], actor=f"clerk{i}")


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/intake/").status_code == 200
    return len(ctx.captured_queries)


def test_batch_list_sorts_exports_and_keeps_its_query_count(city: Any) -> None:
    _batches(city, 2)
    client = _client(city, "credit")
    few = _queries(client)
    _batches(city, 5)
    assert _queries(client) == few <= 10
    actors = [row[2].text for row in client.get("/intake/", {"sort": "actor"}).context["table"].rows]
    assert actors == sorted(actors)
    response = client.get("/intake/", {"sort": "-actor", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(streamed(response)), read_only=True)
                .worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("批次", "提交时间", "提交人", "报送单位") and len(rows) == 8
    assert [r[2] for r in rows[1:]] == sorted(actors, reverse=True)


def test_upload_page_chooses_the_organisation_by_searching(city: Any) -> None:
    html = _client(city, "credit").get("/intake/upload/").content.decode()
    assert '<select name="org"' not in html and 'name="org" value="' in html and "data-picker" in html
    assert 'value="南京市发展和改革委员会"' in html  # the user's own organisation to start with


def test_api_sorts_batches_with_the_pages_keys(city: Any) -> None:
    _batches(city, 3)
    client = _client(city, "credit")
    items = client.get("/api/intake/batches", {"sort": "actor"}).json()["items"]
    assert [b["id"] for b in items] == [b["id"] for b in sorted(items, key=lambda b: b["actor"])]
    refused = client.get("/api/intake/batches", {"sort": "file_path"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "sort"
    assert "不支持按" in refused.json()["errors"][0]["message"]
