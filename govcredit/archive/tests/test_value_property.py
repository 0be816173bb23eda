"""Property: any amount or date the catalog accepts is saved and read back exactly as accepted (issue 8 item 2),
and the intake's fast path accepts it the same way."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog import schema
from govcredit.catalog.models import RecordType
from govcredit.intake.validate import _DECIMAL_RE, date_expr
from govcredit.testing import City, penalty_row

pytestmark = pytest.mark.django_db
NUMBERS = itertools.count(1)

amounts = st.one_of(
    st.decimals(min_value=0, max_value=Decimal("1e11"), allow_nan=False, allow_infinity=False).map(str),
    st.from_regex(r"9{8,11}\.9{5,8}[0-9]?", fullmatch=True),
    st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,9})?", fullmatch=True),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=amounts)
def test_an_accepted_amount_reads_back_as_accepted(city: City, text: str) -> None:
    spec = {"key": "amount", "label": "金额", "type": "decimal", "column": "amount"}
    cleaned = schema.validate([spec], {"amount": text})
    fast = pl.DataFrame({"v": [text]}).select(pl.col("v").str.contains(_DECIMAL_RE)).item()
    if fast:  # the fast path takes only values the catalog takes unchanged
        assert cleaned.ok and cleaned.values["amount"] == Decimal(text), text
    if not cleaned.ok:
        return
    row = {**penalty_row(city.orgs["scjg"]), "行政处罚决定书文号": f"宁市监罚〔2025〕P{next(NUMBERS)}号", "罚款金额（万元）": text}
    record = record_decision(RecordType.objects.get(code="xzcf").current(), row, issuing_org=city.orgs["scjg"],
                             actor="test")
    assert CreditRecord.objects.get(pk=record.pk).amount == cleaned.values["amount"], text


@SETTINGS
@given(day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_an_accepted_date_is_within_range_and_the_fast_path_agrees(day: dt.date) -> None:
    text = day.isoformat()
    spec = {"key": "d", "label": "日期", "type": "date"}
    cleaned = schema.validate([spec], {"d": text})
    assert cleaned.ok == (schema.DATE_MIN <= day <= schema.DATE_MAX)
    fast = pl.DataFrame({"v": [text]}).select(date_expr(pl.col("v"))).item()
    assert fast == (day if cleaned.ok else None)
