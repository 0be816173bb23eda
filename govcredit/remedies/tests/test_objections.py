"""Filing and deciding objections through the services: the record's status follows, each step is in the
ledger, the applicant hears of it, and what the rules refuse changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.remedies import services
from govcredit.remedies.models import Objection, RemedyFile
from govcredit.testing import COUNTERPARTY_ID, City, publish_recent_penalty
from govcredit.workflow.models import Notification

from .conftest import PDF, PNG, statistics_record

pytestmark = pytest.mark.django_db


def _file(city: City, record: CreditRecord, ground: str = "记录内容有误", **kw: Any) -> services.Filed:
    return services.file_objection(record, ground=ground, reasons="认定日期有误", files=kw.pop("files", []),
                                   user=city.users["subject"], **kw)


def _status(record: CreditRecord) -> str:
    return CreditRecord.objects.get(pk=record.pk).status


def test_filing_marks_the_record_and_goes_to_the_submitting_department(city: City) -> None:
    record = statistics_record(city)
    filed = _file(city, record, files=[("证明.pdf", PDF), ("照片.png", PNG)])
    objection = filed.objection
    assert objection is not None and objection.number.startswith("YY") and len(filed.code) == 10
    assert _status(record) == RecordStatus.OBJECTION
    assert objection.case.debtor_org == city.orgs["xuanwu"] and objection.case.status == "待受理"
    assert objection.previous_status == RecordStatus.VALID
    files = RemedyFile.objects.filter(objection=objection)
    assert sorted(f.content_type for f in files) == ["application/pdf", "image/png"]
    assert all(len(f.sha256) == 64 for f in files)
    assert Notification.objects.filter(user=city.users["district"], case=objection.case).exists()
    assert Notification.objects.filter(user=city.users["subject"], case=objection.case).exists()
    assert services.find_by_code(objection.number, filed.code) == objection
    assert services.find_by_code(objection.number, "WRONGCODE1") is None


def test_upheld_returns_the_record_and_the_applicant_sees_why(city: City) -> None:
    record = statistics_record(city)
    objection = _file(city, record).objection
    assert objection is not None
    services.act_on_objection(objection, "accept", city.users["district"], "材料齐全，予以受理")
    services.act_on_objection(objection, "uphold", city.users["district"], "经核查，认定日期无误")
    objection.refresh_from_db()
    assert (objection.outcome, objection.outcome_reason) == ("维持原记录", "经核查，认定日期无误")
    assert objection.case.closed_at is not None
    assert _status(record) == RecordStatus.VALID
    note = Notification.objects.filter(user=city.users["subject"]).first()
    assert note is not None and "维持原记录" in note.text and "认定日期无误" in note.text
    actions = set(LedgerEntry.objects.values_list("action", flat=True))
    assert {"remedies.objection.file", "remedies.objection.accept", "remedies.objection.uphold"} <= actions
    assert verify().ok


def test_revoked_and_corrected(city: City) -> None:
    revoked = statistics_record(city)
    objection = _file(city, revoked).objection
    assert objection is not None
    services.act_on_objection(objection, "accept", city.users["credit"], "受理")
    services.act_on_objection(objection, "revoke", city.users["credit"], "认定错误，撤销")
    assert _status(revoked) == RecordStatus.REVOKED

    corrected = statistics_record(city)
    objection = _file(city, corrected).objection
    assert objection is not None
    services.act_on_objection(objection, "accept", city.users["district"], "受理")
    with pytest.raises(ValidationError, match="更正须给出"):
        services.act_on_objection(objection, "correct", city.users["district"], "更正")
    values = {"认定文号": corrected.decision_number, "认定机关": "区统计局", "认定日期": corrected.decision_date.isoformat(),
              "统计违法事实": "迟报统计数据（更正）", "严重程度": "一般"}
    services.act_on_objection(objection, "correct", city.users["district"], "事实表述有误，予以更正", values)
    record = CreditRecord.objects.get(pk=corrected.pk)
    assert record.status == RecordStatus.VALID and record.facts == "迟报统计数据（更正）"


def test_not_accepted_returns_an_expired_record_to_its_status(city: City) -> None:
    record = statistics_record(city, months_ago=40)
    from govcredit.archive.services import expire_publicity

    expire_publicity()
    assert _status(record) == RecordStatus.EXPIRED
    objection = _file(city, record).objection
    assert objection is not None and objection.previous_status == RecordStatus.EXPIRED
    services.act_on_objection(objection, "refuse", city.users["district"], "异议理由与记录无关")
    assert _status(record) == RecordStatus.EXPIRED


def test_second_objection_on_the_same_grounds_is_refused_with_the_reason(city: City) -> None:
    record = statistics_record(city)
    objection = _file(city, record).objection
    assert objection is not None
    with pytest.raises(ValidationError, match="已有办理中的异议"):
        _file(city, record, ground="公示期限有误")
    services.act_on_objection(objection, "accept", city.users["district"], "受理")
    services.act_on_objection(objection, "uphold", city.users["district"], "认定日期与原始文书一致")
    before = LedgerEntry.objects.count()
    with pytest.raises(ValidationError, match="同一理由不再受理") as refused:
        _file(city, record)
    assert "认定日期与原始文书一致" in str(refused.value)
    assert LedgerEntry.objects.count() == before and _status(record) == RecordStatus.VALID
    assert _file(city, record, ground="公示期限有误").objection is not None  # other grounds: a new objection


def test_subject_may_object_only_to_its_own_records(city: City) -> None:
    other = statistics_record(city, "qinhuai")
    with pytest.raises(PermissionDenied):
        _file(city, other)
    with pytest.raises(PermissionDenied):
        services.file_objection(statistics_record(city), ground="其他", reasons="x", files=[], user=city.users["district"])
    assert not Objection.objects.exists()


def test_files_are_checked_by_content(city: City, settings: Settings) -> None:
    record = statistics_record(city)
    with pytest.raises(ValidationError, match="不是 PDF、JPEG 或 PNG"):
        _file(city, record, files=[("伪装.pdf", b"MZ\x90\x00 not a pdf")])
    settings.GOVCREDIT_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="上限"):
        _file(city, record, files=[("大.pdf", PDF)])
    assert _status(record) == RecordStatus.VALID and not Objection.objects.exists()


def test_counterparty_is_verified_by_the_number_the_record_holds(city: City) -> None:
    record = publish_recent_penalty(city)
    for wrong in ("320106199001017890", "91320100MA1XXXXXX0", "", "不存在"):
        with pytest.raises(ValidationError) as refused:
            services.file_objection(record, ground="记录内容有误", reasons="金额有误", files=[], applicant_name="张三丰",
                                    contact="13800000000", verification=wrong)
        assert refused.value.message_dict == {"verification": [services.MSG_NOT_VERIFIED]}
    filed = services.file_objection(record, ground="记录内容有误", reasons="金额有误", files=[], applicant_name="张三丰",
                                    contact="13800000000", verification=f" {COUNTERPARTY_ID.lower()} ")
    assert filed.objection is not None and filed.objection.applicant_kind == "行政相对人"
    assert _status(record) == RecordStatus.OBJECTION


def test_department_inbox_and_mail_to_the_applicant(city: City, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    from govcredit.accounts.services import update_user
    from govcredit.workflow.services import inbox

    subject = city.users["subject"]
    update_user(subject, role=subject.role, organization=subject.organization, display_name="王小明",
                actor="test", reason="登记邮箱", email="wang@example.org")
    subject.refresh_from_db()
    record = statistics_record(city)
    with django_capture_on_commit_callbacks(execute=True):
        objection = _file(city, record).objection
    assert objection is not None
    for role in ("district", "credit"):
        box = inbox(city.users[role])
        assert objection.case in box.cases and ("信用信息异议", 1) in box.by_kind, role
    assert objection.case not in inbox(city.users["submitter"]).cases
    assert any("wang@example.org" in m.to and objection.number in m.subject for m in mailoutbox)


def test_subject_of_a_published_record_is_verified_by_its_id_number(city: City) -> None:
    from govcredit.testing import QINHUAI_ID, XUANWU_ID

    record = statistics_record(city)
    assert not services.counterparty_matches(record, QINHUAI_ID)
    assert services.counterparty_matches(record, XUANWU_ID)


def test_status_cannot_leave_objection_by_hand_while_it_is_open(city: City) -> None:
    import json

    from django.test import Client

    record = statistics_record(city)
    objection = _file(city, record).objection
    assert objection is not None
    client = Client()
    client.force_login(city.users["credit"])
    response = client.post(f"/api/records/{record.pk}/status", json.dumps({"status": "有效", "reason": "手工改回"}),
                           content_type="application/json")
    assert response.status_code == 422 and objection.number in response.json()["errors"][0]["message"]
    assert _status(record) == RecordStatus.OBJECTION
    services.act_on_objection(objection, "refuse", city.users["credit"], "不属于异议范围")
    assert _status(record) == RecordStatus.VALID
