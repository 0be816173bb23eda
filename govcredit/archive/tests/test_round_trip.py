"""Issue 8 item 3: what the API returns it takes back, and the same record is not entered twice.

A multi-choice field comes out of GET as a JSON array, an ID number and a natural person's name masked:
posting the fields back unchanged to ``/correct`` is accepted and changes nothing. Creation takes an
idempotency key, and an exact duplicate (type + decision number + counterparty) is refused with 409.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govcredit.archive.models import CreditRecord
from govcredit.catalog import schema
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, penalty_row

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _client(city: City, username: str = "submitter") -> Client:
    client = Client()
    client.force_login(city.users[username])
    return client


def _create(client: Client, city: City, number: str = "宁市监罚〔2025〕501号", **headers: Any) -> Any:
    fields = {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": number, "处罚类别": "警告、罚款"}
    return client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["scjg"].pk, "fields": fields},
                       content_type=JSON, headers=headers)


def test_a_record_read_from_the_api_can_be_posted_back_unchanged(city: City) -> None:
    client = _client(city)
    created = _create(client, city)
    assert created.status_code == 201, created.content
    shown = client.get(f"/api/records/{created.json()['id']}").json()["fields"]
    assert shown["处罚类别"] == ["警告", "罚款"]
    assert "*" in shown["证件号码"] and "*" in shown["行政相对人名称"]
    before = CreditRecord.objects.get(pk=created.json()["id"])
    response = client.post(f"/api/records/{before.pk}/correct", {"fields": shown, "reason": "原样提交"}, content_type=JSON)
    assert response.status_code == 200, response.content
    after = CreditRecord.objects.get(pk=before.pk)
    assert after.data["penalty_kinds"] == ["警告", "罚款"]
    assert (after.counterparty_name, after.counterparty_id_index) == (before.counterparty_name, before.counterparty_id_index)
    assert response.json()["fields"] == shown


@pytest.mark.parametrize(("spec", "raw", "expected"), [
    ({"type": "multi_enum", "choices": ["警告", "罚款"]}, ["警告", " 罚款"], ["警告", "罚款"]),
    ({"type": "multi_enum", "choices": ["警告", "罚款"]}, ("罚款",), ["罚款"]),
])
def test_multi_choice_takes_an_array(spec: dict[str, Any], raw: Any, expected: list[str]) -> None:
    cleaned = schema.validate([{"key": "k", "label": "字段", **spec}], {"k": raw})
    assert cleaned.values["k"] == expected


@pytest.mark.parametrize(("spec", "raw", "message"), [
    ({"type": "multi_enum", "choices": ["警告"], "required": True}, [], "必填项为空"),
    ({"type": "multi_enum", "choices": ["警告"]}, ["拘役"], "不在可选值内"),
    ({"type": "text"}, ["a"], "不能是数组"),
    ({"type": "decimal"}, {"a": 1}, "不能是数组"),
])
def test_arrays_and_objects_where_they_do_not_belong_are_refused(spec: dict[str, Any], raw: Any, message: str) -> None:
    cleaned = schema.validate([{"key": "k", "label": "字段", **spec}], {"k": raw})
    assert message in cleaned.errors["字段"]


def test_the_same_request_with_an_idempotency_key_makes_one_record(city: City) -> None:
    client = _client(city)
    before = (CreditRecord.objects.count(), LedgerEntry.objects.count())
    answers = [_create(client, city, **{"Idempotency-Key": "req-1"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == (before[0] + 1, before[1] + 1)
    other = _create(client, city, number="宁市监罚〔2025〕502号", **{"Idempotency-Key": "req-1"})
    assert other.status_code == 409 and "幂等键" in other.json()["detail"]
    by_field = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["scjg"].pk, "idempotency_key": "req-2",
                                            "fields": {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": "宁市监罚〔2025〕503号"}},
                           content_type=JSON)
    assert by_field.status_code == 201
    assert CreditRecord.objects.count() == before[0] + 2


def test_an_exact_duplicate_is_refused_by_the_api_and_the_page(city: City) -> None:
    client = _client(city)
    assert _create(client, city).status_code == 201
    count = CreditRecord.objects.count()
    again = _create(client, city)
    assert again.status_code == 409
    assert "已有相同的记录" in again.json()["detail"]
    assert CreditRecord.objects.count() == count
    # the same decision about another counterparty is another record
    fields = {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": "宁市监罚〔2025〕501号", "行政相对人名称": "李四"}
    other = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["scjg"].pk, "fields": fields},
                        content_type=JSON)
    assert other.status_code == 201, other.content


def test_the_page_form_refuses_an_exact_duplicate(city: City) -> None:
    from govcredit.catalog.models import RecordType

    version = RecordType.objects.get(code="xzcf").current()
    keys = {spec["label"]: spec["key"] for spec in version.fields}
    row = {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": "宁市监罚〔2025〕601号"}
    post: dict[str, Any] = {keys[label]: value for label, value in row.items() if label in keys}
    post.update(record_type=version.record_type.pk, issuing_org=city.orgs["scjg"].pk, penalty_kinds=["罚款"])
    client = _client(city)
    assert client.post("/archive/records/new/", post).status_code == 302
    count = CreditRecord.objects.count()
    again = client.post("/archive/records/new/", post)
    assert again.status_code == 200 and "已有相同的记录" in again.content.decode()
    assert CreditRecord.objects.count() == count
