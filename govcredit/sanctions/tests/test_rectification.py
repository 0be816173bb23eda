"""Rectification (整改): every allowed step and every forbidden one through the API, deadlines over holidays
and make-up Saturdays, reminders, escalation to the superiors, scope."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.ledger.models import LedgerEntry
from govcredit.sanctions.workflow import ACCEPTED, CHECKING, EXPLAIN, RECTIFICATION, RECTIFYING
from govcredit.testing import PASSWORD, City, on_day
from govcredit.workflow.models import Case, Notification
from govcredit.workflow.services import mark_overdue, send_reminders

from .helpers import PDF, breach

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(city: City) -> dict[str, User]:
    """Besides the city's users: 新街口街道 itself as a subject, and 秦淮区's district user."""
    return {
        "dept": create_user("xinjiekou", PASSWORD, role=Role.SUBJECT, organization=city.orgs["xinjiekou"]),
        "other_district": create_user("qinhuai", PASSWORD, role=Role.DISTRICT, organization=city.orgs["qinhuai"]),
        **city.users,
    }


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def move(user: User, case: Case, to: str, reason: str = "办理") -> tuple[int, dict[str, object]]:
    response = client_for(user).post(f"/api/workflow/cases/{case.pk}/transition",
                                     json.dumps({"to_state": to, "reason": reason}), content_type="application/json")
    return response.status_code, response.json()


def rectification(city: City) -> Case:
    breach(city)
    return Case.objects.get(kind=RECTIFICATION.code)


def refused(user: User, case: Case, to: str, status: int) -> None:
    """The step is refused with ``status`` and a message, and nothing changes."""
    case.refresh_from_db()
    before, entries = case.status, LedgerEntry.objects.count()
    code, body = move(user, case, to)
    assert code == status, body
    assert body.get("detail") or body.get("errors"), body
    case.refresh_from_db()
    assert case.status == before and LedgerEntry.objects.count() == entries


def test_every_allowed_step(city: City, people: dict[str, User]) -> None:
    """Explanation and plan, report, return, report again, acceptance; the system's stop is in test_triggering."""
    case = rectification(city)
    assert case.status == EXPLAIN
    assert move(people["dept"], case, RECTIFYING, "书面说明：因资金拨付延迟；整改方案：本月内付清")[0] == 200
    code, body = move(people["district"], case, CHECKING, "已付清全部款项")
    assert code == 200 and body["status"] == CHECKING
    assert move(people["credit"], case, RECTIFYING, "佐证不足，退回")[0] == 200
    assert move(people["dept"], case, CHECKING, "补充付款凭证")[0] == 200
    code, body = move(people["credit"], case, ACCEPTED, "验收通过")
    assert code == 200 and body["closed"] is True
    actions = list(LedgerEntry.objects.filter(entity_type="workflow.caseevent").values_list("actor", flat=True))
    assert {"xinjiekou", "district", "credit"} <= set(actions)


def test_forbidden_steps_are_refused_with_nothing_changed(city: City, people: dict[str, User]) -> None:
    case = rectification(city)
    refused(people["credit"], case, ACCEPTED, 422)  # skipping the explanation, the plan and the acceptance
    refused(people["credit"], case, "已终止", 403)  # a system step
    refused(people["credit"], case, RECTIFYING, 403)  # the department's step, not the credit office's
    refused(people["other_district"], case, RECTIFYING, 404)  # another district's case
    refused(people["subject"], case, RECTIFYING, 404)  # another subject (a civil servant) cannot see it
    move(people["dept"], case, RECTIFYING)
    refused(people["credit"], case, ACCEPTED, 422)  # closing a rectification nobody accepted
    refused(people["dept"], case, ACCEPTED, 422)
    move(people["dept"], case, CHECKING)
    refused(people["dept"], case, ACCEPTED, 403)  # the department cannot accept its own rectification
    refused(people["district"], case, ACCEPTED, 403)
    move(people["credit"], case, ACCEPTED, "验收通过")
    refused(people["credit"], case, RECTIFYING, 422)  # closed


def test_evidence_is_type_checked(city: City, people: dict[str, User], settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = rectification(city)
    c = client_for(people["dept"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = c.post(f"/api/workflow/cases/{case.pk}/evidence", {"file": SimpleUploadedFile("凭证.pdf", PDF)})
    assert ok.status_code == 201
    bad = c.post(f"/api/workflow/cases/{case.pk}/evidence", {"file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")})
    assert bad.status_code == 422


@pytest.mark.time_machine(on_day(dt.date(2026, 2, 13)))
def test_deadline_over_spring_festival_and_make_up_saturdays(city: City) -> None:
    """Opened on Friday 13 February 2026: Saturday 14 Feb is a make-up working day, 15–23 Feb are off,
    Saturday 28 Feb is a make-up working day; the 10th working day is Thursday 5 March."""
    case = rectification(city)
    assert case.opened_on == dt.date(2026, 2, 13)
    assert case.due_on == dt.date(2026, 3, 5)


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 30)))
def test_deadline_over_national_day(city: City) -> None:
    """Opened on 30 September 2026: 1–7 October are off, Saturday 10 October is a make-up working day."""
    case = rectification(city)
    assert case.due_on == dt.date(2026, 10, 20)


def test_reminders_overdue_and_escalation_to_superiors(city: City, people: dict[str, User], time_machine: object) -> None:
    case = rectification(city)
    assert send_reminders(case.due_on - dt.timedelta(days=1)) >= 1
    assert Notification.objects.filter(case=case, text__startswith="提醒", user=people["dept"]).exists()
    mark_overdue(case.due_on + dt.timedelta(days=20))
    case.refresh_from_db()
    assert case.overdue_at is not None and case.escalated_at is not None
    escalated = set(Notification.objects.filter(case=case, text__startswith="督办").values_list("user__username", flat=True))
    # the department, its superior (玄武区, the parent of 新街口街道) and the credit office; not 秦淮区
    assert {"xinjiekou", "district", "credit"} <= escalated and "qinhuai" not in escalated
    assert LedgerEntry.objects.filter(entity_type="workflow.case", entity_id=case.pk, action="workflow.escalate").exists()


def test_lists_and_export(city: City, people: dict[str, User]) -> None:
    case = rectification(city)
    mark_overdue(case.due_on + dt.timedelta(days=20))
    credit = client_for(people["credit"])
    response = credit.get("/sanctions/rectifications/?show=open")
    assert response.status_code == 200 and "玄武区新街口街道办事处" in response.content.decode()
    export = credit.get("/sanctions/rectifications/export/")
    assert export.status_code == 200 and export.content.startswith(b"PK")
    api = credit.get("/api/sanctions/rectifications").json()
    assert api["open"] == 1 and api["items"][0]["case_id"] == case.pk
    assert client_for(people["other_district"]).get("/api/sanctions/rectifications").json()["open"] == 0
    assert client_for(people["district"]).get("/api/sanctions/rectifications").json()["open"] == 1


def test_inbox_shows_the_rectification_to_the_department(city: City, people: dict[str, User]) -> None:
    case = rectification(city)
    items = client_for(people["dept"]).get("/api/workflow/inbox").json()["items"]
    assert [i["id"] for i in items] == [case.pk]
    assert client_for(people["other_district"]).get("/api/workflow/inbox").json()["total"] == 0


@pytest.mark.time_machine(on_day(dt.date(2026, 9, 30)))
def test_deadline_is_set_per_measure_version(city: City) -> None:
    """The measure's version sets its rectification deadline: 5 working days from 30 September 2026 skip the
    National Day holiday and count Saturday 10 October (Tuesday 13 October); 15 calendar days count the
    holiday (15 October). A case already open keeps the deadline it opened with."""
    from govcredit.sanctions.catalogue import publish_measure
    from govcredit.sanctions.models import MeasureType

    first = rectification(city)
    assert first.due_on == dt.date(2026, 10, 20)  # the file's default: 10 working days
    measure = MeasureType.objects.get(code="sm-zg")
    data = {k: getattr(measure.current(), k) for k in ("legal_basis", "duration_months", "subject_kinds", "restricts",
                                                        "favours", "effect", "is_active")}
    publish_measure(measure, {**data, "rectification_days": 5, "rectification_working_days": True}, actor="test",
                    reason="整改期限改为 5 个工作日")
    breach(city, org="xuanwu")
    second = Case.objects.filter(kind=RECTIFICATION.code).exclude(pk=first.pk).get()
    assert second.due_on == dt.date(2026, 10, 13)
    publish_measure(measure, {**data, "rectification_days": 15, "rectification_working_days": False}, actor="test",
                    reason="整改期限改为 15 日")
    breach(city, org="qinhuai")
    third = Case.objects.filter(kind=RECTIFICATION.code).exclude(pk__in=[first.pk, second.pk]).get()
    assert third.due_on == dt.date(2026, 10, 15)
    first.refresh_from_db()
    assert first.due_on == dt.date(2026, 10, 20)


def test_a_deadline_outside_its_limits_is_refused(city: City) -> None:
    from django.core.exceptions import ValidationError

    from govcredit.sanctions.catalogue import publish_measure
    from govcredit.sanctions.models import MeasureType

    measure = MeasureType.objects.get(code="sm-zg")
    data = {k: getattr(measure.current(), k) for k in ("legal_basis", "duration_months", "subject_kinds", "restricts",
                                                        "favours", "effect", "is_active")}
    for days in (0, 366, "10"):
        with pytest.raises(ValidationError) as e:
            publish_measure(measure, {**data, "rectification_days": days}, actor="test", reason="错误的期限")
        assert "rectification_days" in e.value.message_dict
    assert measure.versions.count() == 1
