"""Open data downloads: streamed, masked, with the data dictionary's columns."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.core import clock
from govcredit.disclosure.services import withdraw_due
from govcredit.exchange.opendata import COLUMNS
from govcredit.statistics.tests.factories import PERSON_ID, penalty, publish
from govcredit.testing import COUNTERPARTY_ID, City, streamed

pytestmark = pytest.mark.django_db


@pytest.fixture
def disclosed(city: City) -> City:
    today = clock.today()
    day = [today - dt.timedelta(days=40 - i) for i in range(10)]  # recent days: every window is still open
    person = penalty(city, "scjg", "宁市监罚〔2026〕1号", day[0], kind="自然人")
    company = penalty(city, "scjg", "宁市监罚〔2026〕2号", day[1], serial=2,
                      name='=HYPERLINK("http://evil","点我")有限公司')
    revoked = penalty(city, "scjg", "宁市监罚〔2026〕3号", day[2], serial=3)
    objection = penalty(city, "scjg", "宁市监罚〔2026〕4号", day[3], serial=4)
    publish(person, day[1])
    publish(company, today)
    publish(revoked, day[3])
    publish(objection, day[4])
    publish(city.records["qinhuai_penalty"], "2026-01-10")  # 张三丰: its year of publicity ended on 2026-06-01
    change_status(revoked, RecordStatus.REVOKED, actor="credit", reason="复议撤销")
    change_status(objection, RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    withdraw_due()
    return city


def _day(i: int) -> dt.date:
    return clock.today() - dt.timedelta(days=40 - i)


def _download(fmt: str, **params: str) -> tuple[object, bytes]:
    response = Client().get(reverse("exchange:open_data_download", args=[fmt]), params)
    assert response.status_code == 200
    content = streamed(response)
    return response, content


def test_csv_streams_with_bom_masked_and_neutralised(disclosed: City) -> None:
    response, content = _download("csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert PERSON_ID not in text and COUNTERPARTY_ID not in text
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [c.header for c in COLUMNS]
    by_number = {row[4]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert set(by_number) == {"宁市监罚〔2026〕1号", "宁市监罚〔2026〕2号", "宁市监罚〔2026〕4号"}
    assert by_number["宁市监罚〔2026〕1号"]["主体名称"] == "王*小"
    assert by_number["宁市监罚〔2026〕2号"]["主体名称"].startswith("'=HYPERLINK")
    assert by_number["宁市监罚〔2026〕4号"]["状态"] == "异议中"
    assert by_number["宁市监罚〔2026〕1号"]["公开日期"] == str(_day(1))


def test_daily_dataset_has_only_that_days_publications(disclosed: City) -> None:
    _, content = _download("csv", published=str(_day(1)))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r[4] for r in rows[1:]] == ["宁市监罚〔2026〕1号"]
    _, revoked_day = _download("csv", published=str(_day(3)))  # withdrawn since: never served again
    assert len(list(csv.reader(io.StringIO(revoked_day.decode("utf-8-sig"))))) == 1
    assert Client().get(reverse("exchange:open_data_download", args=["csv"]), {"published": "昨天"}).status_code == 400


def test_json_streams_items_and_count(disclosed: City) -> None:
    response, content = _download("json")
    assert isinstance(response, StreamingHttpResponse)
    doc = json.loads(content)
    assert doc["count"] == 3 == len(doc["items"])
    assert [c["key"] for c in doc["columns"]] == [c.key for c in COLUMNS]
    item = next(i for i in doc["items"] if i["decision_number"] == "宁市监罚〔2026〕1号")
    assert item["public_name"] == "王*小" and item["decision_date"] == str(_day(0))
    assert PERSON_ID not in content.decode() and COUNTERPARTY_ID not in content.decode()


def test_xlsx_is_a_file_response_that_opens(disclosed: City) -> None:
    response, content = _download("xlsx")
    assert isinstance(response, FileResponse)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["公开信息"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in COLUMNS] and len(rows) == 4
    names = {r[4]: r[2] for r in rows[1:]}
    assert names["宁市监罚〔2026〕1号"] == "王*小"
    assert names["宁市监罚〔2026〕2号"].startswith("'=")
    assert all(PERSON_ID not in str(v) and COUNTERPARTY_ID not in str(v) for r in rows for v in r)


def test_index_and_dictionary_pages_are_public(disclosed: City) -> None:
    index = Client().get(reverse("exchange:open_data"))
    assert index.status_code == 200 and index.context["total"] == 3
    page = Client().get(reverse("exchange:data_dictionary")).content.decode()
    for c in COLUMNS:
        assert c.header in page and c.key in page
    assert Client().get(reverse("exchange:open_data_download", args=["exe"])).status_code == 404
