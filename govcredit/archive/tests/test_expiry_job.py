"""The daily expiry job goes on past a record it cannot read, and names it in the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import expire_publicity
from govcredit.testing import City


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL refuses such an amount when it is stored")
def test_a_record_with_an_unreadable_amount_does_not_stop_the_others(city: City,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    bad, good = city.records["qinhuai_penalty"], city.records["xuanwu_discipline"]
    with connection.cursor() as cur:  # behind the application: an amount beyond its column
        cur.execute(f"UPDATE {CreditRecord._meta.db_table} SET amount = %s WHERE id = %s", ["10000000000", bad.pk])
    assert bad.publicity_end is not None and good.publicity_end is not None
    assert expire_publicity(max(bad.publicity_end, good.publicity_end) + dt.timedelta(days=1)) == 1
    assert CreditRecord.objects.filter(pk=good.pk, status=RecordStatus.EXPIRED).exists()
    assert f"第 {bad.pk} 条数据无法处理" in caplog.text
