"""The publishing job: claims its rows (two workers never collide), remembers refusals, and goes on past a bad row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import correct_record, record_decision
from govcredit.catalog.models import RecordType
from govcredit.disclosure import rules, services
from govcredit.disclosure.models import Publication, Refusal
from govcredit.testing import City, build_city, on_day, twice_at_once

pytestmark = pytest.mark.time_machine(on_day(dt.date(2026, 11, 1)))
TABLE = CreditRecord._meta.db_table


def _values(city: City, n: int, kinds: str = "罚款", amount: str = "5") -> dict[str, str]:
    return {
        "行政相对人名称": f"南京某某餐饮管理有限公司{n}", "行政相对人类别": "法人及非法人组织",
        "行政处罚决定书文号": f"玄市监罚〔2026〕{n}号", "违法行为类型": "食品安全", "违法事实": "使用超过保质期的食品原料",
        "处罚依据": "《中华人民共和国食品安全法》第一百二十四条", "处罚类别": kinds, "处罚内容": "见决定书",
        "罚款金额（万元）": amount, "处罚决定日期": "2026-10-08", "处罚机关": "南京市玄武区市场监督管理局",
        "处罚机关统一社会信用代码": city.orgs["xuanwu"].credit_code, "严重程度": "一般",
    }


def _penalty(city: City, n: int, kinds: str = "罚款", amount: str = "5") -> CreditRecord:
    return record_decision(RecordType.objects.get(code="xzcf").current(), _values(city, n, kinds, amount),
                           issuing_org=city.orgs["xuanwu"], actor="test")


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.django_db
def test_a_refused_record_is_judged_again_only_when_it_changes(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    warned = _penalty(city, 1, kinds="警告", amount="")
    services.publish_due()
    assert Refusal.objects.get(record=warned).reason.startswith("仅受警告处罚")
    judged: list[int] = []
    real = rules.refusal

    def judging(record: CreditRecord) -> str | None:
        judged.append(record.pk)
        return real(record)

    monkeypatch.setattr(services, "refusal", judging)
    assert services.publish_due().published == 0 and judged == []  # not read again on the next run
    correct_record(warned, _values(city, 1), actor="credit", reason="更正处罚类别")  # the record changes
    assert services.publish_due().published == 1 and judged == [warned.pk]
    assert Publication.objects.filter(record=warned).exists() and not Refusal.objects.exists()


@pytest.mark.django_db
def test_one_bad_row_is_reported_and_the_others_are_published(city: City) -> None:
    good = [_penalty(city, n) for n in (1, 2, 3)]
    bad = _penalty(city, 4)
    # Behind the application: data the publication rules cannot read.
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    _raw(f"UPDATE {TABLE} SET data = %s{cast} WHERE id = %s", ['{"penalty_kinds": 5}', bad.pk])
    broken = [bad.pk]
    if connection.vendor == "sqlite":  # an amount beyond its column, which the ORM cannot even read
        too_big = _penalty(city, 5)
        _raw(f"UPDATE {TABLE} SET amount = %s WHERE id = %s", ["10000000000", too_big.pk])
        broken.append(too_big.pk)
    result = services.sync()
    assert result.published == 3 and sorted(f.pk for f in result.failed) == broken
    assert set(Publication.objects.values_list("record_id", flat=True)) >= {r.pk for r in good}
    assert not Publication.objects.filter(record_id__in=broken).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_publish_at_once_without_colliding() -> None:
    city = build_city()
    records = [_penalty(city, n) for n in range(1, 41)]
    results = twice_at_once(services.publish_due)
    assert sum(r.published for r in results) == len(records)
    assert Publication.objects.count() == len(records)
    assert services.publish_due().published == 0  # idempotent


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL refuses such an amount when it is stored")
def test_a_publication_whose_record_has_an_unreadable_amount_is_still_withdrawn(city: City) -> None:
    record = _penalty(city, 1)
    other = _penalty(city, 2)
    services.sync()
    _raw(f"UPDATE {TABLE} SET amount = %s WHERE id = %s", ["10000000000", record.pk])
    assert record.publicity_end is not None
    result = services.sync(record.publicity_end + dt.timedelta(days=1))  # both windows have ended
    assert result.withdrawn == 2 and not Publication.objects.filter(is_public=True, record__in=[record, other]).exists()


@pytest.mark.django_db
def test_publish_as_of_keeps_the_moment_and_the_rules(city: City) -> None:
    """Publications taken over with their past moments: the statistics count the real delay, the rules still
    apply (a refused record stays off), a moment in the future is refused."""
    on_time, late = _penalty(city, 301), _penalty(city, 302)
    warning_only = _penalty(city, 305, kinds="警告")
    moment = on_day(dt.date(2026, 10, 12), hour=15)
    with pytest.raises(ValueError):
        services.publish_as_of({on_time.pk: on_day(dt.date(2026, 11, 2))})
    result = services.publish_as_of({on_time.pk: moment, late.pk: on_day(dt.date(2026, 10, 30)), warning_only.pk: moment})
    assert result.published == 2 and result.refused == 1
    assert Publication.objects.get(record=on_time).published_at == moment
    assert not Publication.objects.filter(record=warning_only).exists()
    again = services.publish_as_of({on_time.pk: moment})  # already published: nothing happens
    assert again.published == 0
