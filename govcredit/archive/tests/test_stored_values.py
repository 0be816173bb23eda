"""Item 2 of issue 8: a value is checked as the archive will store it, so what is accepted can be saved.

``9999999999.9999999`` is below 10^10 but rounds to 10000000000.000000, which ``numeric(16,6)`` cannot
hold; it was accepted, saved and then broke every reader. The page form, the API and the import refuse it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Field
from django.test import Client

from govcredit.archive.models import CreditRecord
from govcredit.catalog import schema
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import RECORD_COLUMNS
from govcredit.testing import City, penalty_row

pytestmark = pytest.mark.django_db
TOO_LARGE = "9999999999.9999999"
AMOUNT = "罚款金额（万元）"


def _penalty_fields(city: City, **changes: str) -> dict[str, str]:
    return {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": "宁市监罚〔2025〕901号", **changes}


def _client(city: City, username: str = "submitter") -> Client:
    client = Client()
    client.force_login(city.users[username])
    return client


@pytest.mark.parametrize(("spec", "raw", "expected"), [
    ({"type": "decimal"}, "999999999.999999", Decimal("999999999.999999")),
    ({"type": "decimal"}, "0.00000049", Decimal("0.000000")),
    ({"type": "decimal"}, "1.0000005", Decimal("1.000001")),
    ({"type": "decimal"}, "100", Decimal("100")),
    ({"type": "integer"}, "999999999999999", 999999999999999),
    ({"type": "integer"}, "12.0", 12),
    ({"type": "date"}, "2999-12-31", dt.date(2999, 12, 31)),
    ({"type": "text", "column": "decision_number"}, "号" * 100, "号" * 100),
])
def test_values_that_fit_are_kept_as_stored(spec: dict[str, Any], raw: str, expected: Any) -> None:
    cleaned = schema.validate([{"key": "k", "label": "字段", **spec}], {"k": raw})
    assert cleaned.ok, cleaned.errors
    assert cleaned.values["k"] == expected
    assert str(cleaned.values["k"]) == str(expected)


@pytest.mark.parametrize(("spec", "raw", "message"), [
    ({"type": "decimal"}, TOO_LARGE, "超出金额范围"),
    ({"type": "decimal"}, "999999999.9999995", "超出金额范围"),
    ({"type": "decimal"}, "9999999999.999999", "超出金额范围"),
    ({"type": "decimal"}, "1e999999999", "超出金额范围"),
    ({"type": "integer"}, "1000000000000000", "超出整数范围"),
    ({"type": "integer"}, "99999999999999999999999", "超出整数范围"),
    ({"type": "date"}, "9999-12-31", "超出范围"),
    ({"type": "date"}, "0001-01-01", "超出范围"),
    ({"type": "date"}, "1899年12月31日", "超出范围"),
    ({"type": "text", "column": "decision_number"}, "号" * 101, "长度超过 100 个字符"),
    ({"type": "text", "column": "authority_name", "max_length": 500}, "局" * 201, "长度超过 200 个字符"),
])
def test_values_the_archive_cannot_store_are_refused_in_chinese(spec: dict[str, Any], raw: str, message: str) -> None:
    cleaned = schema.validate([{"key": "k", "label": "字段", **spec}], {"k": raw})
    assert message in cleaned.errors["字段"]


def test_column_limits_are_the_archive_columns() -> None:
    """``schema.COLUMN_MAX_LENGTH`` names every character column a catalog field may fill, with its length."""
    fields = {f.name: f for f in CreditRecord._meta.get_fields() if isinstance(f, Field) and hasattr(f, "max_length")}
    chars = {c for c in RECORD_COLUMNS if c in fields and fields[c].get_internal_type() == "CharField"}
    assert set(schema.COLUMN_MAX_LENGTH) == chars
    assert all(fields[c].max_length == n for c, n in schema.COLUMN_MAX_LENGTH.items())
    amount = CreditRecord._meta.get_field("amount")
    assert (amount.max_digits, amount.decimal_places) == (schema.DECIMAL_MAX_DIGITS, schema.DECIMAL_PLACES)


def test_api_refuses_an_amount_that_rounds_out_of_range(city: City) -> None:
    before = CreditRecord.objects.count()
    response = _client(city).post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["scjg"].pk,
                                                   "fields": _penalty_fields(city, **{AMOUNT: TOO_LARGE})},
                                  content_type="application/json")
    assert response.status_code == 422, response.content
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "超出金额范围" in errors[AMOUNT]
    assert CreditRecord.objects.count() == before


def test_page_form_refuses_an_amount_that_rounds_out_of_range(city: City) -> None:
    version = RecordType.objects.get(code="xzcf").current()
    keys = {spec["label"]: spec["key"] for spec in version.fields}
    values = _penalty_fields(city, **{AMOUNT: TOO_LARGE})
    post: dict[str, Any] = {keys[label]: value for label, value in values.items() if label in keys}
    post.update(record_type=version.record_type.pk, issuing_org=city.orgs["scjg"].pk)
    before = CreditRecord.objects.count()
    response = _client(city).post("/archive/records/new/", post)
    assert response.status_code == 200
    assert "超出金额范围" in response.content.decode()
    assert CreditRecord.objects.count() == before


def test_store_unreadable_amount_makes_a_row_that_cannot_be_read(city: City) -> None:
    """The helper other tests use to check that jobs and verify-ledger name such a row and go on."""
    from decimal import InvalidOperation

    from django.db import connection

    from govcredit.testing import store_unreadable_amount

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's numeric(16,6) cannot hold the value at all")
    record = city.records["qinhuai_penalty"]
    store_unreadable_amount(record)
    with pytest.raises(InvalidOperation):
        CreditRecord.objects.get(pk=record.pk)
