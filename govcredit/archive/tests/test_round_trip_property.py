"""Property: any value the catalog schema accepts survives the whole way — saved, read back through the
API, published, counted by the statistics and checked by ``verify-ledger`` — and any value it refuses
writes nothing. Hypothesis draws the values (amounts of any size and precision, dates in any spelling,
text with any characters), as a clerk's spreadsheet or a script might send them.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from govcredit.accounts.services import issue_token
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.disclosure.services import sync
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.statistics.services import refresh
from govcredit.testing import City, penalty_row

pytestmark = [pytest.mark.probe, pytest.mark.django_db]

#: Each strategy mixes plausible values (most of the draws, so the accepted path is walked) with hostile ones.
AMOUNTS = st.one_of(
    st.decimals(min_value=0, max_value=10**10, allow_nan=False, allow_infinity=False).map(str),
    st.decimals(min_value=0, max_value=10**10, places=7).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.text(alphabet="0123456789.,-+eE ０１９．", max_size=24),
    st.sampled_from(["9999999999.9999999", "9999999999.999999", "0.0000001", "1e9", "1E+3", "-0", "0.5"]),
)
DATES = st.one_of(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 6, 30)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 6, 30)).map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.dates().map(lambda d: d.isoformat()),
    st.text(alphabet="0123456789-/.年月日 ", max_size=14),
    st.integers(min_value=-10, max_value=3_000_000).map(str),
)
TEXTS = st.one_of(st.text(alphabet=st.characters(codec="utf-8", categories=["Lo", "Nd", "Zs"]), min_size=1, max_size=60),
                  st.text(max_size=300))


numbers = itertools.count(1)


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
# The value the review found: accepted before rounding, 10000000000 once stored in 16 digits with 6 places.
@example(amount="9999999999.9999999", decided="2026-10-08", counterparty="南京某某公司", facts="事实")
@given(amount=AMOUNTS, decided=DATES, counterparty=TEXTS, facts=TEXTS)
def test_accepted_values_round_trip_and_refused_ones_write_nothing(city: City, amount: str, decided: str,
                                                                   counterparty: str, facts: str) -> None:
    version = RecordType.objects.get(code="xzcf").current()
    values = {**penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": f"玄市监罚〔2026〕{next(numbers)}号",
              "罚款金额（万元）": amount, "处罚决定日期": decided, "行政相对人名称": counterparty, "违法事实": facts,
              "行政相对人类别": "法人及非法人组织", "证件类型": "", "证件号码": ""}
    before = (CreditRecord.objects.count(), LedgerEntry.objects.count())
    try:
        record = record_decision(version, values, issuing_org=city.orgs["xuanwu"], actor="test")
    except ValidationError:
        event("refused")
        assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == before
        return
    event("accepted")
    _, key = issue_token(city.users["credit"], "property")
    answer = Client().get(f"/api/records/{record.pk}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200, answer.content[:500]
    stored = CreditRecord.objects.get(pk=record.pk)
    assert stored.amount == record.amount and stored.decision_date == record.decision_date
    sync()
    refresh()
    report = verify()
    assert report.ok, report
