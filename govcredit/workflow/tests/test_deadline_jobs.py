"""The reminder and overdue jobs: each reminder offset once, overdue and escalation once, by inbox and e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.accounts.services import update_user
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Alert, Case, Notification

from .conftest import open_sample

pytestmark = pytest.mark.django_db


def _notes(city: City, role: str) -> list[str]:
    return list(Notification.objects.filter(user=city.users[role]).order_by("pk").values_list("text", flat=True))


def test_reminders_once_per_offset_and_overdue_once(city: City, time_machine: Any, mailoutbox: list[Any],
                                                    django_capture_on_commit_callbacks: Any) -> None:
    district = city.users["district"]
    update_user(district, role=district.role, organization=district.organization, display_name="", actor="test",
                reason="登记通知邮箱", email="xuanwu@example.gov.cn")
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    case = open_sample(city)
    closed = open_sample(city, status="已办结")
    assert case.due_on == dt.date(2026, 11, 9)  # 5 working days after Monday 11/2

    time_machine.move_to(on_day(dt.date(2026, 11, 4)))
    assert services.send_reminders() == 0  # 3 working days left: no reminder is due yet
    time_machine.move_to(on_day(dt.date(2026, 11, 5)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1  # two working days before: the first reminder
    assert services.send_reminders() == 0  # and only once
    time_machine.move_to(on_day(dt.date(2026, 11, 6)))
    assert services.send_reminders() == 1  # one working day before: the second
    assert services.send_reminders() == 0
    assert set(Alert.objects.filter(case=case).values_list("offset", flat=True)) == {1, 2}
    assert not Alert.objects.filter(case=closed).exists()
    assert sum("提醒" in t for t in _notes(city, "district")) == 2
    assert any("xuanwu@example.gov.cn" in m.to and "提醒" in m.subject for m in mailoutbox)

    time_machine.move_to(on_day(dt.date(2026, 11, 9)))
    assert services.mark_overdue() == 0  # due today is not overdue
    time_machine.move_to(on_day(dt.date(2026, 11, 10)))
    entries = LedgerEntry.objects.count()
    assert services.mark_overdue() == 1
    assert services.mark_overdue() == 0
    assert LedgerEntry.objects.count() == entries + 1
    case.refresh_from_db()
    assert case.overdue_at is not None and case.escalated_at is None
    assert services.send_reminders() == 0  # an overdue case is no longer reminded

    time_machine.move_to(on_day(dt.date(2026, 11, 11)))
    assert services.mark_overdue() == 0  # escalation comes 2 working days after the due date
    time_machine.move_to(on_day(dt.date(2026, 11, 12)))
    assert services.mark_overdue() == 1
    assert services.mark_overdue() == 0
    assert sum("督办" in t for t in _notes(city, "credit")) == 1
    assert sum("已逾期" in t for t in _notes(city, "district")) == 1
    assert Case.objects.get(pk=closed.pk).overdue_at is None


def test_jobs_are_registered() -> None:
    from govcredit.core import jobs

    funcs = {j.func for j in jobs.daily_jobs()} | {j.func for j in jobs.frequent_jobs()}
    assert {"govcredit.workflow.services.send_reminders", "govcredit.workflow.services.mark_overdue"} <= funcs
