"""Two workers running the reminder and overdue jobs at once: each case is reminded and marked exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from govcredit.testing import build_city, on_day, twice_at_once
from govcredit.workflow import services
from govcredit.workflow.models import Alert, Case, Notification

from .conftest import open_sample

N = 30


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_remind_or_mark_a_case_twice(time_machine: Any) -> None:
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    city = build_city()
    cases = [open_sample(city) for _ in range(N)]
    time_machine.move_to(on_day(dt.date(2026, 11, 5)))
    assert sum(twice_at_once(services.send_reminders)) == N
    assert Alert.objects.count() == N
    assert Notification.objects.filter(text__startswith="提醒").count() == 2 * N  # the district and the credit office
    time_machine.move_to(on_day(dt.date(2026, 11, 12)))
    assert sum(twice_at_once(services.mark_overdue)) == 2 * N  # overdue, then escalated
    assert Case.objects.filter(pk__in=[c.pk for c in cases], overdue_at__isnull=False,
                               escalated_at__isnull=False).count() == N
    assert services.mark_overdue() == 0
