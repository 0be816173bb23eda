"""The refresh runs in the task queue, never in a page request, and goes on past a decision it cannot compute."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_q.conf import Conf
from django_q.models import OrmQ

from govcredit.archive.models import CreditRecord
from govcredit.core import jobs
from govcredit.core.models import JobState
from govcredit.statistics import services
from govcredit.statistics.models import DecisionFact, RefreshState
from govcredit.testing import City, on_day

from .factories import penalty, publish

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 6, 15)))]


def _never(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a page request must not refresh the statistics")


@pytest.fixture
def stale(city: City, monkeypatch: pytest.MonkeyPatch) -> City:
    """Decisions whose figures are out of date (the last refresh long ago), and a refresh that must not run."""
    publish(penalty(city, "scjg", "宁市监罚〔2025〕11号", "2025-07-01", serial=31), "2025-07-03")
    services.refresh()
    penalty(city, "scjg", "宁市监罚〔2025〕12号", "2025-08-01", serial=32)
    RefreshState.objects.filter(pk=1).update(last_finished=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    monkeypatch.setattr(services, "refresh", _never)
    return city


def test_no_page_or_api_request_starts_a_refresh(stale: City) -> None:
    anonymous = Client()
    for url in (reverse("statistics:public"), reverse("statistics:public_export"), "/api/statistics/summary"):
        assert anonymous.get(url).status_code == 200, url
    credit = Client()
    credit.force_login(stale.users["credit"])
    for url in (reverse("statistics:internal"), reverse("statistics:internal_export"), "/api/statistics/departments"):
        assert credit.get(url).status_code == 200, url
    assert not services.stale_records().filter(statistics_fact__isnull=False).exists()
    assert services.stale_records().count() == 1  # still waiting for the scheduled job


def test_the_refresh_button_enqueues_once_and_the_page_shows_progress(stale: City) -> None:
    credit = Client()
    credit.force_login(stale.users["credit"])
    credit.post(reverse("statistics:refresh"))
    credit.post(reverse("statistics:refresh"))
    queued = OrmQ.objects.all()
    assert queued.count() == 1 and queued[0].func() == services.TASK  # in the queue, not run
    JobState.objects.filter(name=services.JOB).update(running_since=dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC),
                                                      heartbeat=dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC),
                                                      progress=1200, total=5000)
    html = credit.get(reverse("statistics:internal")).content.decode()
    assert "重新统计进行中" in html and "1200 / 5000" in html
    with translation.override("en"):
        html = credit.get(reverse("statistics:internal")).content.decode()
    assert "Recount running" in html and "1200 / 5000" in html and "Last recount finished" in html


def test_a_queued_refresh_runs_in_the_worker_and_reports(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs the task in-process
    penalty(city, "scjg", "宁市监罚〔2025〕11号", "2025-07-01", serial=31)
    assert services.request_refresh()
    state = jobs.state_of(services.JOB)
    assert state.last_ok and state.last_result["computed"] >= 1 and not state.running
    assert state.total is not None and state.progress == state.total >= 1


def test_one_bad_decision_is_reported_and_the_others_are_counted(city: City) -> None:
    good = [penalty(city, "scjg", f"宁市监罚〔2025〕{n}号", "2025-07-01", serial=n) for n in (11, 12, 13)]
    bad = penalty(city, "scjg", "宁市监罚〔2025〕14号", "2025-07-01", serial=14)
    table = CreditRecord._meta.db_table
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:  # behind the application: data the disclosure rules cannot read
        cur.execute(f"UPDATE {table} SET data = %s{cast} WHERE id = %s", ['{"penalty_kinds": 5}', bad.pk])
    broken = [bad.pk]
    if connection.vendor == "sqlite":  # and an amount beyond its column, which the ORM cannot even read
        too_big = penalty(city, "scjg", "宁市监罚〔2025〕15号", "2025-07-01", serial=15)
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET amount = %s WHERE id = %s", ["10000000000", too_big.pk])
        broken.append(too_big.pk)
    result = services.refresh()
    assert sorted(f.pk for f in result.failed) == broken
    assert set(DecisionFact.objects.values_list("record_id", flat=True)) >= {r.pk for r in good}
    assert not DecisionFact.objects.filter(record_id__in=broken).exists()
    state = jobs.state_of(services.JOB)
    assert state.last_ok is False and state.last_result["failed_count"] == len(broken)
    assert sorted(f["pk"] for f in state.last_result["failed"]) == broken
