"""Two workers running the reminder and overdue jobs at once: each case is reminded and marked exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from govcredit.testing import build_city, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Alert, Case, Notification

from .conftest import open_sample

N = 30


def _twice_at_once(job: Callable[[], int]) -> list[int]:
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(job())
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_remind_or_mark_a_case_twice(time_machine: Any) -> None:
    time_machine.move_to(on_day(dt.date(2026, 11, 2)))
    city = build_city()
    cases = [open_sample(city) for _ in range(N)]
    time_machine.move_to(on_day(dt.date(2026, 11, 5)))
    assert sum(_twice_at_once(services.send_reminders)) == N
    assert Alert.objects.count() == N
    assert Notification.objects.filter(text__startswith="提醒").count() == 2 * N  # the district and the credit office
    time_machine.move_to(on_day(dt.date(2026, 11, 12)))
    assert sum(_twice_at_once(services.mark_overdue)) == 2 * N  # overdue, then escalated
    assert Case.objects.filter(pk__in=[c.pk for c in cases], overdue_at__isnull=False,
                               escalated_at__isnull=False).count() == N
    assert services.mark_overdue() == 0
