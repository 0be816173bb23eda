"""Records start, suspend, resume and end their measures; rules changed later apply to new records only."""

from __future__ import annotations

import pytest

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.ledger.services import history
from govcredit.sanctions.catalogue import publish_rule
from govcredit.sanctions.models import AppliedMeasure, EndReason, MeasureStatus, Rule
from govcredit.sanctions.services import expire_measures
from govcredit.sanctions.workflow import RECTIFICATION
from govcredit.testing import City
from govcredit.workflow.models import Case

from .helpers import breach, honour, integrity_model

pytestmark = pytest.mark.django_db


def names(record: CreditRecord) -> set[str]:
    return {m.name for m in AppliedMeasure.objects.filter(record=record)}


def test_dishonest_record_starts_its_measures_with_dates_and_ledger(city: City) -> None:
    record = breach(city)
    measures = list(AppliedMeasure.objects.filter(record=record))
    assert {m.name for m in measures} == {"书面说明原因并限期整改", "取消参加评先评优资格", "绩效考核扣分"}
    for m in measures:
        assert m.status == MeasureStatus.IN_FORCE and m.start_on == record.decision_date and m.end_on > m.start_on
        assert m.subject_org == city.orgs["xinjiekou"]
        assert history(m).filter(action="sanctions.measure.start").count() == 1
    rectification = Case.objects.get(kind=RECTIFICATION.code)
    assert rectification.debtor_org == city.orgs["xinjiekou"] and rectification.status == "待书面说明"


def test_serious_record_adds_public_criticism_and_restrictions(city: City) -> None:
    record = breach(city, severity="严重")
    assert {"公开通报批评", "限制申报改革试点、项目投资、专项资金", "主要负责人依法依规追责"} <= names(record)


def test_non_government_record_and_existing_measures_trigger_nothing_more(city: City) -> None:
    assert not AppliedMeasure.objects.filter(record=city.records["qinhuai_penalty"]).exists()
    record = breach(city)
    count = AppliedMeasure.objects.count()
    record.refresh_from_db()
    from govcredit.sanctions.services import apply_rules

    assert apply_rules([record]) == [] and AppliedMeasure.objects.count() == count


def test_positive_record_triggers_rewards(city: City) -> None:
    record = honour(city, person=city.people["xuanwu"])
    assert names(record) == {"评优评先同等条件下优先", "职务晋升同等条件下优先"}
    assert {m.polarity for m in AppliedMeasure.objects.filter(record=record)} == {"激励"}


def test_integrity_model_starts_the_rewards(city: City) -> None:
    """诚信模范 is a catalog type of its own (守信, civil servants): recording one starts the honour rule's
    rewards for the person, with their dates, ledgered, and tells the person's side in its inbox."""
    from govcredit.catalog.models import RecordType
    from govcredit.ledger.models import LedgerEntry
    from govcredit.workflow.models import Notification

    version = RecordType.objects.get(code="cxmf").current()
    assert (version.polarity, version.subject_kinds) == ("守信", ["civil_servant"])
    record = integrity_model(city, city.people["xuanwu"])
    measures = list(AppliedMeasure.objects.filter(record=record))
    assert {m.name for m in measures} == {"评优评先同等条件下优先", "职务晋升同等条件下优先"}
    assert {(m.polarity, m.status, m.rule_version.rule.code) for m in measures} == {("激励", MeasureStatus.IN_FORCE, "honour")}
    assert all(m.start_on == record.decision_date and m.end_on > m.start_on for m in measures)
    assert LedgerEntry.objects.filter(action="sanctions.measure.start", entity_id__in=[m.pk for m in measures]).count() == 2
    assert Notification.objects.filter(user=city.users["subject"], text__contains="职务晋升同等条件下优先").exists()


def test_objection_suspends_and_decision_resumes(city: City) -> None:
    record = breach(city)
    change_status(record, RecordStatus.OBJECTION, actor="test", reason="主体提出异议")
    assert set(AppliedMeasure.objects.filter(record=record).values_list("status", flat=True)) == {MeasureStatus.SUSPENDED}
    change_status(record, RecordStatus.VALID, actor="test", reason="异议不成立")
    assert set(AppliedMeasure.objects.filter(record=record).values_list("status", flat=True)) == {MeasureStatus.IN_FORCE}


def test_objection_then_revocation_ends_measures_and_stops_rectification(city: City) -> None:
    record = breach(city)
    change_status(record, RecordStatus.OBJECTION, actor="test", reason="主体提出异议")
    change_status(record, RecordStatus.REVOKED, actor="test", reason="异议成立，撤销")
    for m in AppliedMeasure.objects.filter(record=record):
        assert m.status == MeasureStatus.ENDED and m.end_reason == EndReason.REVOKED and m.ended_on is not None
        assert history(m).filter(action="sanctions.measure.end").exists()
    assert Case.objects.get(kind=RECTIFICATION.code).status == "已终止"


def test_repair_ends_measures_with_reason(city: City) -> None:
    record = breach(city)
    change_status(record, RecordStatus.REPAIRED, actor="test", reason="信用修复")
    assert set(AppliedMeasure.objects.filter(record=record).values_list("end_reason", flat=True)) == {EndReason.REPAIRED}


def test_rule_changed_later_applies_to_new_records_only(city: City) -> None:
    first = breach(city)
    rule = Rule.objects.get(code="org-dishonest")
    old = rule.current()
    publish_rule(rule, {"record_types": old.record_types, "severities": [], "subject_kinds": old.subject_kinds,
                        "min_count": 1, "within_years": 3, "measures": ["jxkh-kf"], "is_active": True},
                 actor="credit", reason="只扣分")
    second = breach(city)
    assert "取消参加评先评优资格" in names(first) and names(second) == {"绩效考核扣分"}
    assert {m.rule_version.version for m in AppliedMeasure.objects.filter(record=first)} == {old.version}
    assert {m.rule_version.version for m in AppliedMeasure.objects.filter(record=second)} == {old.version + 1}


def test_count_rule_needs_enough_records_in_the_window(city: City) -> None:
    records = [breach(city, org="xuanwu") for _ in range(3)]
    assert "公开通报批评" not in names(records[0]) and "公开通报批评" not in names(records[1])
    assert "公开通报批评" in names(records[2])


def test_expiry_job_ends_measures_once(city: City) -> None:
    import datetime as dt

    record = breach(city)
    last = max(AppliedMeasure.objects.filter(record=record).values_list("end_on", flat=True))
    assert expire_measures(last + dt.timedelta(days=1)) == 3
    assert expire_measures(last + dt.timedelta(days=1)) == 0
    assert set(AppliedMeasure.objects.filter(record=record).values_list("end_reason", flat=True)) == {EndReason.EXPIRED}


def test_old_record_entered_late_is_recorded_as_ended(city: City) -> None:
    import datetime as dt

    from govcredit.core import clock

    record = breach(city, decided=clock.today() - dt.timedelta(days=800))
    assert set(AppliedMeasure.objects.filter(record=record).values_list("status", flat=True)) == {MeasureStatus.ENDED}
    assert not Case.objects.filter(kind=RECTIFICATION.code).exists()


def test_load_measures_command_is_idempotent(city: City) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_measures", stdout=out)
    assert "新发布 0 个版本" in out.getvalue()
