"""The ledger page only reads: the whole-chain verification runs in the task queue, the page shows its state."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_q.conf import Conf
from django_q.models import OrmQ

from govcredit.core import jobs
from govcredit.ledger.jobs import LEDGER_JOB, LEDGER_TASK
from govcredit.testing import City

pytestmark = pytest.mark.django_db


def _never(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the ledger page must not verify in the request")


@pytest.fixture
def credit(city: City) -> Client:
    client = Client()
    client.force_login(city.users["credit"])
    return client


def test_the_page_never_verifies_and_a_post_only_enqueues(credit: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("govcredit.ledger.verification.verify", _never)
    url = reverse("ledger:overview")
    assert credit.get(url).status_code == 200
    assert credit.post(url).status_code == 302
    html = credit.post(url, follow=True).content.decode()  # asked twice: still one run in the queue
    assert OrmQ.objects.count() == 1 and OrmQ.objects.get().func() == LEDGER_TASK
    assert "核验任务已在排队或进行中" in html and 'id="verify-progress"' in html


def test_a_run_in_the_worker_shows_its_result(credit: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs the task in-process
    html = credit.post(reverse("ledger:overview"), follow=True).content.decode()
    assert "已提交核验任务" in html and 'id="verify-result"' in html and "核验通过" in html
    with translation.override("en"):
        html = credit.get(reverse("ledger:overview")).content.decode()
    assert "Verification passed" in html and "Last verification finished at" in html
    state = jobs.state_of(LEDGER_JOB)
    assert state.last_ok and not state.running and state.progress > 0 and state.total is not None and state.total > 0


def test_only_the_credit_office_may_ask(city: City) -> None:
    client = Client()
    client.force_login(city.users["district"])
    assert client.post(reverse("ledger:overview")).status_code == 403
    assert not OrmQ.objects.exists()
