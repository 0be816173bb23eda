from __future__ import annotations

import datetime as dt

import pytest

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType
from govcredit.disclosure.models import Publication, UnpublishReason
from govcredit.disclosure.services import public_publications, sync
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.testing import City, on_day

#: The decisions below are of late 2026; the tests run on a day when their windows are open.
pytestmark = pytest.mark.time_machine(on_day(dt.date(2026, 11, 1)))


def _penalty(city: City, number: str, kinds: str, amount: str, kind: str = "法人及非法人组织",
             decided: str = "2026-10-08", severity: str = "一般") -> CreditRecord:
    values = {
        "行政相对人名称": "南京某某餐饮管理有限公司" if kind != "自然人" else "王二小", "行政相对人类别": kind,
        "行政处罚决定书文号": number, "违法行为类型": "食品安全", "违法事实": "使用超过保质期的食品原料",
        "处罚依据": "《中华人民共和国食品安全法》第一百二十四条", "处罚类别": kinds, "处罚内容": "见决定书",
        "罚款金额（万元）": amount, "处罚决定日期": decided, "处罚机关": "南京市玄武区市场监督管理局",
        "处罚机关统一社会信用代码": city.orgs["xuanwu"].credit_code, "严重程度": severity,
    }
    return record_decision(RecordType.objects.get(code="xzcf").current(), values, issuing_org=city.orgs["xuanwu"],
                           actor="test")


@pytest.mark.django_db
def test_only_disclosable_penalties_are_published(city: City) -> None:
    big = _penalty(city, "玄市监罚〔2026〕1号", "罚款、没收违法所得", "5")
    _penalty(city, "玄市监罚〔2026〕2号", "警告", "")
    _penalty(city, "玄市监罚〔2026〕3号", "警告、通报批评", "")
    _penalty(city, "玄市监罚〔2026〕4号", "罚款", "0.5")  # a low fine for a company (≤ 1万元)
    person = _penalty(city, "玄市监罚〔2026〕5号", "罚款", "0.5", kind="自然人")  # not low for a person (> 0.1万元)
    sync(dt.date(2026, 11, 1))
    published = set(Publication.objects.values_list("decision_number", flat=True))
    assert "玄市监罚〔2026〕1号" in published and "玄市监罚〔2026〕5号" in published
    assert not published & {"玄市监罚〔2026〕2号", "玄市监罚〔2026〕3号", "玄市监罚〔2026〕4号"}
    assert Publication.objects.get(record=person).public_name == "王*小"
    assert Publication.objects.get(record=big).visible_until == dt.date(2027, 10, 8)
    internal = city.records["xuanwu_discipline"]  # 纪律处分 is 内部
    assert not Publication.objects.filter(record=internal).exists()


@pytest.mark.django_db
def test_window_end_and_revocation_withdraw_with_ledger_entries(city: City) -> None:
    ending = _penalty(city, "玄市监罚〔2025〕9号", "罚款", "3", decided="2025-12-01")
    revoked = _penalty(city, "玄市监罚〔2026〕7号", "罚款", "3")
    sync(dt.date(2026, 11, 1))
    assert public_publications().filter(record__in=[ending, revoked]).count() == 2
    change_status(revoked, RecordStatus.REVOKED, actor="credit", reason="复议撤销")
    result = sync(dt.date(2026, 12, 2))  # the 2025-12-01 penalty's year ended on 2026-12-01
    assert result.withdrawn == 2
    rev = Publication.objects.get(record=revoked)
    assert (rev.is_public, rev.unpublish_reason) == (False, UnpublishReason.REVOKED)
    assert "撤下公示" in rev.public_note
    end = Publication.objects.get(record=ending)
    assert end.unpublish_reason == UnpublishReason.EXPIRED
    assert [e.action for e in history(end)] == ["disclosure.publish", "disclosure.unpublish"]
    assert sync(dt.date(2026, 12, 2)).withdrawn == 0
    assert verify().ok


@pytest.mark.django_db
def test_objection_stays_public_and_is_marked(city: City) -> None:
    record = _penalty(city, "玄市监罚〔2026〕8号", "罚款", "3")
    sync(dt.date(2026, 11, 1))
    change_status(record, RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    sync(dt.date(2026, 11, 1))
    pub = Publication.objects.select_related("record").get(record=record)
    assert pub.is_public and pub.record.status == "异议中"
