"""Records written in bulk (intake, demo) send no post_save: ``records_created`` starts their measures in a
number of queries that does not grow with the batch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import build_record
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.intake.services import run_batch, submit_rows
from govcredit.ledger.services import create_with_entries
from govcredit.sanctions.models import AppliedMeasure
from govcredit.sanctions.services import records_created
from govcredit.testing import City, penalty_row

pytestmark = pytest.mark.django_db


def _bulk(city: City, n: int, start: int) -> list[CreditRecord]:
    version = RecordType.objects.get(code="jlcf").current()
    objs = [build_record(version, {
        "处分决定文号": f"玄纪〔2026〕{start + i}号", "处分机关": "玄武区纪委监委",
        "处分决定日期": (clock.today() - dt.timedelta(days=2)).isoformat(), "处分种类": "警告",
        "违纪违法事实": "违规发放津贴补贴", "严重程度": "一般"}, issuing_org=city.orgs["xuanwu"],
        subject_person=city.people["xuanwu"]) for i in range(n)]
    return create_with_entries(CreditRecord, objs, actor="test", action="record.create", reason="bulk")


def test_bulk_records_trigger_in_constant_queries(city: City) -> None:
    small = _bulk(city, 2, 100)
    with CaptureQueriesContext(connection) as few:
        records_created([r.pk for r in small])
    large = _bulk(city, 30, 200)
    with CaptureQueriesContext(connection) as many:
        records_created([r.pk for r in large])
    assert AppliedMeasure.objects.filter(record__in=large).count() == 60  # 取消评先评优资格 and 绩效考核扣分 each
    assert len(many.captured_queries) == len(few.captured_queries)


def test_intake_batches_reach_the_hook(city: City) -> None:
    """An intake batch of 双公示 decisions (no government subject) starts nothing and costs no query for it."""
    batch = submit_rows([{**penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": "玄市监罚〔2026〕555号"}],
                        record_type=RecordType.objects.get(code="xzcf"), org=city.orgs["xuanwu"], actor="test")
    run_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.accepted == 1
    assert not AppliedMeasure.objects.filter(record__batch_id=batch.pk).exists()
