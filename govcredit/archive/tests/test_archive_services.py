from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import (
    add_months,
    change_status,
    correct_record,
    expire_publicity,
    publicity_window,
    record_decision,
)
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import publish_version
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.testing import COUNTERPARTY_ID, City

DISCIPLINE = {"处分决定文号": "玄纪〔2024〕9号", "处分机关": "玄武区纪委监委", "处分决定日期": "2024年2月29日",
              "处分种类": "记过", "违纪违法事实": "违规接受宴请", "严重程度": "严重"}


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2023, 11, 15), 3) == dt.date(2024, 2, 15)


@pytest.mark.django_db
def test_publicity_window_follows_catalog_severity(city: City) -> None:
    version = RecordType.objects.get(code="xzcf").current()
    general = publicity_window(version, "一般", dt.date(2025, 1, 10))
    serious = publicity_window(version, "严重", dt.date(2025, 1, 10))
    assert (general.earliest_repair, general.end) == (dt.date(2025, 4, 10), dt.date(2026, 1, 10))
    assert (serious.earliest_repair, serious.end) == (dt.date(2026, 1, 10), dt.date(2028, 1, 10))


@pytest.mark.django_db
def test_record_decision_writes_record_and_one_entry(city: City) -> None:
    # the record's own entries (the measures it starts are the sanctions app's, with entries of their own)
    records = LedgerEntry.objects.filter(entity_type="archive.creditrecord")
    before = records.count()
    record = record_decision(RecordType.objects.get(code="jlcf").current(), DISCIPLINE,
                             issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="clerk")
    assert record.decision_date == dt.date(2024, 2, 29)
    assert record.publicity_end == dt.date(2029, 2, 28)  # 严重: 60 months
    assert record.data == {"punishment": "记过"}
    assert records.count() == before + 1
    assert history(record).get().actor == "clerk"


@pytest.mark.django_db
def test_invalid_values_are_rejected_by_label_and_nothing_written(city: City) -> None:
    before = (CreditRecord.objects.count(), LedgerEntry.objects.count())
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as err:
        record_decision(RecordType.objects.get(code="jlcf").current(),
                        {**DISCIPLINE, "处分种类": "罚站", "处分机关": ""},
                        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="clerk")
    assert "不在可选值内" in err.value.message_dict["处分种类"][0]
    assert err.value.message_dict["处分机关"] == ["必填项为空"]
    with pytest.raises(ValidationError) as err:
        record_decision(RecordType.objects.get(code="jlcf").current(), {**DISCIPLINE, "处分决定日期": future},
                        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="clerk")
    assert "晚于今天" in err.value.message_dict["decision_date"][0]
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.django_db
def test_type_applies_only_to_its_subject_kinds(city: City) -> None:
    with pytest.raises(ValidationError, match="不适用于单位"):
        record_decision(RecordType.objects.get(code="jlcf").current(), DISCIPLINE,
                        issuing_org=city.orgs["xuanwu"], subject_org=city.orgs["xuanwu"], actor="clerk")


@pytest.mark.django_db
def test_counterparty_id_is_encrypted_and_masked(city: City) -> None:
    record = city.records["qinhuai_penalty"]
    assert COUNTERPARTY_ID not in record.counterparty_id_cipher
    assert record.counterparty_id_masked == COUNTERPARTY_ID[:4] + "*" * 10 + COUNTERPARTY_ID[-4:]
    assert record.subject_label == "张*丰"


@pytest.mark.django_db
def test_status_transitions_are_checked_and_ledgered(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    change_status(record, RecordStatus.OBJECTION, actor="credit", reason="收到异议申请")
    assert record.status == "异议中"
    with pytest.raises(ValidationError, match="不能从"):
        change_status(record, RecordStatus.REPAIRED, actor="credit", reason="修复")
    with pytest.raises(ValidationError, match="理由"):
        change_status(record, RecordStatus.VALID, actor="credit", reason=" ")
    change_status(record, RecordStatus.VALID, actor="credit", reason="异议不成立")
    change_status(record, RecordStatus.REVOKED, actor="credit", reason="决定被撤销")
    assert [e.action for e in history(record)] == ["record.create", "record.status", "record.status", "record.status"]
    assert CreditRecord.objects.filter(pk=record.pk).exists()  # nothing is deleted
    assert verify().ok


@pytest.mark.django_db
def test_correction_keeps_id_and_history(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    values = {"处分决定文号": "玄纪〔2025〕7号", "处分机关": "玄武区纪委监委", "处分决定日期": "2025-03-05",
              "处分种类": "记过", "违纪违法事实": "违规发放津贴补贴（更正）", "严重程度": "一般"}
    correct_record(record, values, actor="credit", reason="处分种类录入错误")
    record.refresh_from_db()
    assert record.data["punishment"] == "记过" and record.facts.endswith("（更正）")
    assert history(record).count() == 2
    assert verify().ok


@pytest.mark.django_db
def test_new_catalog_version_does_not_break_old_records(city: City) -> None:
    rtype = RecordType.objects.get(code="jlcf")
    old = rtype.current()
    fields = [f for f in old.fields if f["key"] != "legal_basis"] + [
        {"key": "approver", "label": "批准人", "type": "text", "required": True}]
    data = {k: getattr(old, k) for k in ("polarity", "source_category", "disclosure", "subject_kinds", "severities")}
    new = publish_version(rtype, {**data, "fields": fields}, actor="credit", reason="增加批准人")
    assert new.version == old.version + 1
    record = CreditRecord.objects.get(pk=city.records["xuanwu_discipline"].pk)
    assert record.type_version_id == old.pk
    correct_record(record, {"处分决定文号": "玄纪〔2025〕7号", "处分机关": "玄武区纪委监委", "处分决定日期": "2025-03-05",
                            "处分种类": "警告", "违纪违法事实": "x", "处分依据": "《公职人员政务处分法》", "严重程度": "一般"},
                   actor="credit", reason="按原版本更正")
    with pytest.raises(ValidationError) as err:
        record_decision(new, DISCIPLINE, issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"],
                        actor="clerk")
    assert err.value.message_dict["批准人"] == ["必填项为空"]


@pytest.mark.django_db
def test_expiry_job_is_idempotent_and_keeps_records(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    assert record.publicity_end is not None
    assert expire_publicity(record.publicity_end) == 1  # only the 秦淮 penalty (12 months) has ended by then
    record.refresh_from_db()
    assert record.status == RecordStatus.VALID
    assert expire_publicity(record.publicity_end + dt.timedelta(days=1)) == 1
    assert expire_publicity(record.publicity_end + dt.timedelta(days=1)) == 0
    record.refresh_from_db()
    assert record.status == RecordStatus.EXPIRED
    last = history(record).last()
    assert last is not None and last.action == "record.expire"
    assert verify().ok
