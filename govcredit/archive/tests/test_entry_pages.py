"""Entering a record with the subject picker, correcting it on its page with a reason, and the record list:
search by subject name, sort, XLSX export, fixed query count."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.catalog.models import RecordType
from govcredit.ledger.services import history
from govcredit.testing import City, streamed

pytestmark = pytest.mark.django_db

DISCIPLINE = {"decision_number": "玄纪〔2025〕11号", "authority_name": "玄武区纪委监委", "decision_date": "2025-04-01",
              "punishment": "记过", "facts": "公款吃喝", "severity": "一般"}


def _client(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def _jlcf() -> int:
    return RecordType.objects.get(code="jlcf").pk


def test_entry_form_has_pickers_short_inputs_and_marks_required(city: City) -> None:
    page = _client(city, "district").get(reverse("archive:record_create"), {"record_type": _jlcf()})
    html = page.content.decode()
    assert 'id="id_subject"' in html and 'name="subject_person"' in html and 'name="issuing_org"' in html
    assert 'data-url="/api/subjects/suggest?kind=person"' in html
    assert 'value="南京市玄武区人民政府"' in html  # the issuing organisation starts as the user's own
    assert '<input type="text" name="decision_number"' in html  # a number is one line
    assert '<textarea name="facts"' in html  # prose is a text area
    assert '<input type="date" name="decision_date"' in html
    assert html.count('class="req"') >= 7  # subject, issuing organisation and the five required fields
    assert "<select name=\"issuing_org\"" not in html


def test_record_entered_with_the_picked_subject(city: City) -> None:
    client = _client(city, "district")
    person = city.people["xuanwu"]
    response = client.post(reverse("archive:record_create"), {
        "record_type": _jlcf(), "subject_person": person.pk, "issuing_org": city.orgs["xinjiekou"].pk, **DISCIPLINE})
    record = CreditRecord.objects.get(decision_number=DISCIPLINE["decision_number"])
    assert response.status_code == 302 and response["Location"] == reverse("archive:record_detail", args=[record.pk])
    assert record.subject_person == person and record.issuing_org == city.orgs["xinjiekou"]


def test_no_subject_is_said_beside_the_picker(city: City) -> None:
    response = _client(city, "district").post(reverse("archive:record_create"), {"record_type": _jlcf(), **DISCIPLINE})
    assert response.status_code == 200
    assert response.context["party_errors"]["subject"] == ["请指定信用主体（单位、公务员或行政相对人）"]
    assert not CreditRecord.objects.filter(decision_number=DISCIPLINE["decision_number"]).exists()


def test_subject_outside_the_scope_is_refused(city: City) -> None:
    response = _client(city, "district").post(reverse("archive:record_create"), {
        "record_type": _jlcf(), "subject_person": city.people["qinhuai"].pk, **DISCIPLINE})
    assert response.status_code == 403
    assert not CreditRecord.objects.filter(decision_number=DISCIPLINE["decision_number"]).exists()


# --------------------------------------------------------------------------- correction


def test_correction_page_starts_from_the_record_and_keeps_masked_values(city: City) -> None:
    record = city.records["qinhuai_penalty"]
    client = _client(city, "credit")
    url = reverse("archive:record_correct", args=[record.pk])
    form = client.get(url).context["form"]
    assert form.initial["counterparty_name"] == "张*丰" and "*" in form.initial["id_number"]
    assert form.initial["penalty_kinds"] == ["罚款"]
    data = {k: v for k, v in form.initial.items() if v not in ("", None)}
    data["authority_name"] = "南京市秦淮区市场监督管理局（更正）"
    response = client.post(url, {**data, "reason": "处罚机关名称录入有误"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.authority_name == "南京市秦淮区市场监督管理局（更正）"
    assert record.counterparty_name == "张三丰"  # the masked name meant "unchanged"
    last = history(record).order_by("-seq").first()
    assert last is not None and last.action == "record.correct" and last.reason == "处罚机关名称录入有误"


def test_correction_needs_a_reason(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    client = _client(city, "district")
    url = reverse("archive:record_correct", args=[record.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v}
    response = client.post(url, {**data, "decision_number": "玄纪〔2025〕8号"})
    assert response.status_code == 200 and response.context["reason_form"].errors["reason"]
    record.refresh_from_db()
    assert record.decision_number == "玄纪〔2025〕7号"


def test_who_may_correct(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    url = reverse("archive:record_correct", args=[record.pk])
    assert _client(city, "personnel").get(url).status_code == 403  # may read, not write
    assert _client(city, "submitter").get(url).status_code == 404  # outside its scope
    detail = _client(city, "district").get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    assert 'id="correct-link"' in detail
    change_status(record, RecordStatus.REVOKED, actor="test", reason="撤销")
    detail = _client(city, "district").get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    assert 'id="correct-link"' not in detail
    response = _client(city, "district").post(url, {**DISCIPLINE, "reason": "更正"})
    assert response.status_code == 200 and "不能更正" in response.content.decode()


# --------------------------------------------------------------------------- the record list


def test_record_search_finds_subject_names(city: City) -> None:
    client = _client(city, "credit")
    found = client.get(reverse("archive:record_list"), {"q": "王小明"}).context["page_obj"]
    assert [r.pk for r in found] == [city.records["xuanwu_discipline"].pk]
    api = client.get("/api/records", {"q": "王小明"}).json()["items"]
    assert [r["id"] for r in api] == [city.records["xuanwu_discipline"].pk]
    assert not _client(city, "submitter").get(reverse("archive:record_list"), {"q": "王小明"}).context["page_obj"]


def test_record_list_sorts_on_the_page_and_in_the_api(city: City) -> None:
    client = _client(city, "credit")
    rows = client.get(reverse("archive:record_list"), {"sort": "date"}).context["page_obj"]
    dates = [r.decision_date for r in rows]
    assert dates == sorted(dates)
    api = client.get("/api/records", {"sort": "date"}).json()["items"]
    assert [r["id"] for r in api] == [r.pk for r in rows]
    assert client.get("/api/records", {"sort": "counterparty_id_cipher"}).status_code == 422


def test_record_list_exports_its_rows_masked(city: City) -> None:
    response = _client(city, "credit").get(reverse("archive:record_list"), {"format": "xlsx", "sort": "date"})
    book = load_workbook(io.BytesIO(streamed(response)), read_only=True)
    rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == ("决定日期", "类别", "主体", "文书号", "决定机关", "报送单位", "状态")
    assert len(rows) == 3 and "张*丰" in rows[2] and "张三丰" not in str(rows)
    assert book.sheetnames == ["信用记录", "说明"]


def test_record_list_query_count_is_fixed(city: City) -> None:
    client = _client(city, "credit")
    url = reverse("archive:record_list")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    jlcf = RecordType.objects.get(code="jlcf").current()
    from govcredit.archive.services import record_decision

    for i in range(6):
        record_decision(jlcf, {**{"处分决定文号": f"玄纪〔2024〕{i}号", "处分机关": "玄武区纪委监委", "处分决定日期": "2024-03-05",
                                  "处分种类": "警告", "违纪违法事实": "违规", "严重程度": "一般"}},
                        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="test")
    assert count() == few <= 12


def test_record_and_correction_pages_do_not_query_per_field_or_entry(city: City) -> None:
    record = city.records["qinhuai_penalty"]
    client = _client(city, "credit")
    counts = {}
    for name in ("archive:record_detail", "archive:record_correct"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[record.pk])).status_code == 200
        counts[name] = len(ctx.captured_queries)
    from govcredit.archive.services import correct_record

    for i in range(3):  # more history entries
        correct_record(record, {"处罚机关": f"南京市秦淮区市场监督管理局{i}"} | _penalty_values(record), actor="test",
                       reason=f"第{i}次更正")
    for name, before in counts.items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=[record.pk])).status_code == 200
        assert len(ctx.captured_queries) == before <= 15, name


def _penalty_values(record: CreditRecord) -> dict[str, object]:
    """The record's values as staff see them, by label, without its 处罚机关."""
    from govcredit.archive.display import field_values

    labels = {spec["key"]: spec["label"] for spec in record.type_version.fields}
    return {labels[k]: v for k, v in field_values(record).items() if k != "authority_name"}
