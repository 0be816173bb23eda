"""Every user's inbox shows what waits for it (issue 10 point 3, issue 12 point 9), through HTTP for each kind:
a subject sees the objections and repairs about its records (owed by the department that submitted them,
followed by the subject), the rectifications and fault-tolerance applications it owes, and a notification
when a measure starts for it; the department sees the cases waiting on it; nobody else sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.ledger.services import update_with_entries
from govcredit.remedies.services import apply_repair, file_objection
from govcredit.sanctions.models import AppliedMeasure
from govcredit.sanctions.workflow import FAULT_TOLERANCE, RECTIFICATION, apply_fault_tolerance
from govcredit.testing import PASSWORD, City, on_day
from govcredit.workflow.models import Case, Notification

from .helpers import PDF, breach

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _inbox(user: User) -> dict[str, Any]:
    response = _client(user).get("/api/workflow/inbox")
    assert response.status_code == 200
    return dict(response.json())


def _statistics_record(city: City) -> CreditRecord:
    return record_decision(RecordType.objects.get(code="tjzj").current(), {
        "认定文号": "玄统认〔2026〕9号", "认定机关": "玄武区统计局", "认定日期": (DAY - dt.timedelta(days=124)).isoformat(),
        "统计违法事实": "虚报统计数据", "严重程度": "一般"},
        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="test")


@pytest.fixture
def world(city: City, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(on_day(DAY))
    subject, district = city.users["subject"], city.users["district"]
    subject.email = "wangxiaoming@example.org"
    update_with_entries(User, [subject], ["email"], actor="test", action="account.update", reason="e-mail")
    dept = create_user("xinjiekou-subject", PASSWORD, role=Role.SUBJECT, organization=city.orgs["xinjiekou"])
    other = create_user("liqinhuai", PASSWORD, role=Role.SUBJECT, organization=city.orgs["qinhuai"],
                        civil_servant=city.people["qinhuai"])
    mail.outbox.clear()
    objection = file_objection(city.records["xuanwu_discipline"], ground="记录内容有误", reasons="处分种类有误",
                               files=[], user=subject).objection
    repair = apply_repair(_statistics_record(city), user=subject, corrected="已更正统计数据",
                          commitment=("承诺书.pdf", PDF), files=[]).repair
    record = breach(city)  # 新街口街道 owes a rectification
    rectification = Case.objects.get(kind=RECTIFICATION.code)
    application = apply_fault_tolerance(record, actor=dept, grounds=["及时止损"], statement="已及时止损")
    assert objection is not None and repair is not None
    return {"city": city, "subject": subject, "district": district, "dept": dept, "other": other,
            "objection": objection.case, "repair": repair.case, "rectification": rectification,
            "fault_tolerance": application.case, "record": record}


def test_a_civil_servant_follows_its_objection_and_repair(world: dict[str, Any]) -> None:
    body = _inbox(world["subject"])
    items = {i["id"]: i for i in body["items"]}
    assert set(items) >= {world["objection"].pk, world["repair"].pk}
    assert items[world["objection"].pk]["waits_on_me"] is False  # the department owes it; the subject follows
    assert items[world["repair"].pk]["waits_on_me"] is False
    assert body["following"] >= 2
    html = _client(world["subject"]).get(reverse("workflow:inbox")).content.decode()
    assert f"#{world['objection'].pk}" in html and f"#{world['repair'].pk}" in html and "关注" in html
    # following is no power to act: the subject cannot take the department's step
    response = _client(world["subject"]).post(f"/api/workflow/cases/{world['objection'].pk}/evidence",
                                              {"file": _upload()})
    assert response.status_code == 403


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")


def test_the_department_sees_what_waits_on_it(world: dict[str, Any]) -> None:
    items = {i["id"]: i for i in _inbox(world["district"])["items"]}
    for key in ("objection", "repair", "rectification", "fault_tolerance"):
        assert items[world[key].pk]["waits_on_me"] is True, key  # 玄武区 decides, supervises, gives its opinion


def test_an_organisation_subject_owes_its_rectification(world: dict[str, Any]) -> None:
    items = {i["id"]: i for i in _inbox(world["dept"])["items"]}
    assert items[world["rectification"].pk]["waits_on_me"] is True
    assert items[world["rectification"].pk]["kind"] == RECTIFICATION.code
    assert items[world["fault_tolerance"].pk]["kind"] == FAULT_TOLERANCE.code  # it applied; it may withdraw
    assert world["objection"].pk not in items  # about 王小明's record, not the street office's


def test_another_subject_sees_none_of_them(world: dict[str, Any]) -> None:
    body = _inbox(world["other"])
    assert body["items"] == [] and body["total"] == 0
    for key in ("objection", "repair", "rectification"):
        assert _client(world["other"]).get(f"/api/workflow/cases/{world[key].pk}").status_code == 404


def test_a_measure_starting_is_notified_to_the_subject_and_its_department(
        world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    measures = list(AppliedMeasure.objects.filter(record=world["record"]))
    assert measures
    link = reverse("sanctions:measure_detail", args=[measures[0].pk])
    notes = Notification.objects.filter(link=link)
    assert {n.user.username for n in notes} == {"xinjiekou-subject", "district"}  # not 王小明, not the credit office
    note = notes.get(user=world["dept"])
    assert note.case is None and measures[0].name in note.text and world["record"].decision_number in note.text
    # a discipline record about 王小明 starts his measures: his inbox tells him, with a link, and so does mail
    with django_capture_on_commit_callbacks(execute=True):
        discipline = record_decision(RecordType.objects.get(code="jlcf").current(), {
            "处分决定文号": "玄纪〔2026〕31号", "处分机关": "玄武区纪委监委", "处分决定日期": DAY.isoformat(),
            "处分种类": "警告", "违纪违法事实": "违规发放津贴补贴", "严重程度": "一般",
        }, issuing_org=world["city"].orgs["xuanwu"], subject_person=world["city"].people["xuanwu"], actor="test")
    own = AppliedMeasure.objects.filter(record=discipline).order_by("pk").first()
    assert own is not None
    html = _client(world["subject"]).get(reverse("workflow:inbox")).content.decode()
    assert reverse("sanctions:measure_detail", args=[own.pk]) in html
    assert _client(world["subject"]).get(reverse("sanctions:measure_detail", args=[own.pk])).status_code == 200
    assert any("wangxiaoming@example.org" in m.to and own.name in f"{m.subject}{m.body}" for m in mail.outbox)


def test_a_subjects_inbox_lists_its_measures_with_their_end(world: dict[str, Any]) -> None:
    """Measures are no cases: the inbox page shows a subject's running measures in a section of their own,
    with their end dates; a department's inbox has no such section (its cases are what wait on it)."""
    measures = AppliedMeasure.objects.filter(record=world["record"], status="执行中")
    assert measures
    html = _client(world["dept"]).get(reverse("workflow:inbox")).content.decode()
    assert 'id="inbox-measures"' in html
    for m in measures:
        assert reverse("sanctions:measure_detail", args=[m.pk]) in html and f"{m.end_on:%Y-%m-%d}" in html
    other = _client(world["other"]).get(reverse("workflow:inbox")).content.decode()
    assert 'id="inbox-measures"' in other and "没有执行中的奖惩措施" in other
    assert not any(reverse("sanctions:measure_detail", args=[m.pk]) in other for m in measures)
    assert 'id="inbox-measures"' not in _client(world["district"]).get(reverse("workflow:inbox")).content.decode()


def test_a_subjects_inbox_lists_its_records_with_their_remedies(world: dict[str, Any]) -> None:
    """Issue 12 point 9: the subject's inbox shows its records (status, publicity end) with the way to contest or
    repair each; another subject's inbox shows none of them, a department's has no such section."""
    city = world["city"]
    mine = CreditRecord.objects.filter(subject_person=city.people["xuanwu"])
    assert mine.count() >= 2
    html = _client(world["subject"]).get(reverse("workflow:inbox")).content.decode()
    assert 'id="inbox-records"' in html
    for record in mine:
        assert reverse("archive:record_detail", args=[record.pk]) in html
        assert reverse("remedies:objection_create", args=[record.pk]) in html
    assert "异议中" in html  # the record under objection says so
    other = _client(world["other"]).get(reverse("workflow:inbox")).content.decode()
    assert 'id="inbox-records"' in other
    assert not any(reverse("archive:record_detail", args=[r.pk]) in other for r in mine)
    assert 'id="inbox-records"' not in _client(world["district"]).get(reverse("workflow:inbox")).content.decode()
