"""Credit repair through the services: who may apply and when (naming the rule), approval marks the record
已修复 and the portal withdraws it, refusal names the rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.disclosure.detail import public_detail
from govcredit.disclosure.models import Publication, UnpublishReason
from govcredit.disclosure.services import sync
from govcredit.ledger.models import LedgerEntry
from govcredit.remedies import rules, services
from govcredit.remedies.models import Repair
from govcredit.testing import City, penalty_row

from .conftest import PDF, statistics_record

pytestmark = pytest.mark.django_db


def _apply(city: City, record: CreditRecord, commitment: tuple[str, bytes] | None = ("承诺书.pdf", PDF)) -> Repair:
    filed = services.apply_repair(record, user=city.users["subject"], corrected="已更正统计数据并接受培训",
                                  commitment=commitment, files=[])
    assert filed.repair is not None
    return filed.repair


def test_approval_marks_the_record_repaired_and_the_portal_withdraws_it(city: City) -> None:
    record = statistics_record(city)
    sync()
    publication = Publication.objects.get(record=record)
    assert public_detail(publication.pk) is not None
    repair = _apply(city, record)
    assert repair.files.get().purpose == "信用承诺书"
    services.act_on_repair(repair, "accept", city.users["district"], "材料齐全")
    services.act_on_repair(repair, "approve", city.users["district"], "已纠正失信行为并作出信用承诺")
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.REPAIRED
    publication.refresh_from_db()
    assert not publication.is_public and publication.unpublish_reason == UnpublishReason.REPAIRED
    assert public_detail(publication.pk) is None
    repair.refresh_from_db()
    assert repair.outcome == "已修复" and repair.case.closed_at is not None
    assert LedgerEntry.objects.filter(action="remedies.repair.approve").exists()


def test_refusal_names_the_rule(city: City) -> None:
    record = statistics_record(city)
    repair = _apply(city, record)
    with pytest.raises(ValidationError, match="依据"):
        services.act_on_repair(repair, "refuse", city.users["district"], "不符合条件")
    services.act_on_repair(repair, "refuse", city.users["district"], "承诺书未签字", services.REFUSAL_RULES[2])
    repair.refresh_from_db()
    assert repair.outcome == "不予受理" and "信用承诺" in repair.rule
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.VALID


def test_too_early_names_the_shortest_period(city: City) -> None:
    record = statistics_record(city, months_ago=1)
    with pytest.raises(ValidationError, match="最短公示期为 3 个月") as refused:
        _apply(city, record)
    assert rules.earliest_repair(record).isoformat() in str(refused.value)
    serious = statistics_record(city, months_ago=6, severity="严重")
    with pytest.raises(ValidationError, match="最短公示期为 12 个月"):
        _apply(city, serious)
    assert not Repair.objects.exists()


def test_catalog_marks_types_not_repairable(city: City) -> None:
    discipline = city.records["xuanwu_discipline"]
    with pytest.raises(ValidationError, match="不可修复：政务处分"):
        _apply(city, discipline)


def test_record_under_objection_cannot_be_repaired_nor_approved(city: City) -> None:
    record = statistics_record(city)
    services.file_objection(record, ground="其他", reasons="有误", files=[], user=city.users["subject"])
    with pytest.raises(ValidationError, match="异议处理中"):
        _apply(city, record)

    other = statistics_record(city)
    repair = _apply(city, other)
    with pytest.raises(ValidationError, match="信用修复申请.*正在办理"):
        services.file_objection(other, ground="其他", reasons="有误", files=[], user=city.users["subject"])
    services.act_on_repair(repair, "accept", city.users["district"], "受理")
    services.act_on_repair(repair, "approve", city.users["district"], "准予")
    with pytest.raises(ValidationError, match="该记录已修复，无需申请"):
        _apply(city, other)


def test_commitment_is_required_and_checked(city: City) -> None:
    record = statistics_record(city)
    with pytest.raises(ValidationError, match="信用承诺书"):
        _apply(city, record, commitment=None)
    with pytest.raises(ValidationError, match="不是 PDF"):
        _apply(city, record, commitment=("承诺书.docx", b"PK\x03\x04"))
    assert not Repair.objects.exists()


def test_light_records_are_repairable_once_the_obligation_is_met(city: City) -> None:
    light = record_decision(RecordType.objects.get(code="xzcf").current(), {
        **penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": "玄市监罚〔2026〕7号", "严重程度": "轻微",
        "处罚决定日期": clock.today().isoformat()}, issuing_org=city.orgs["xuanwu"], actor="test")
    assert rules.earliest_repair(light) == light.decision_date
    assert rules.repair_refusal(light, clock.today()) is None
