"""The national export started from its page: queued for the task queue (never run in the request), its
progress and result on the page, the files downloadable; always masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf
from django_q.models import OrmQ

from govcredit.core import jobs
from govcredit.core.models import JobState
from govcredit.exchange import national
from govcredit.exchange.models import ExchangeExport, IdNumbers
from govcredit.testing import City, streamed

pytestmark = pytest.mark.django_db


def _credit(city: City) -> Client:
    client = Client()
    client.force_login(city.users["credit"])
    return client


def test_start_enqueues_once_and_the_page_shows_progress(city: City) -> None:
    client = _credit(city)
    assert client.post(reverse("exchange:export_start")).status_code == 302
    client.post(reverse("exchange:export_start"))
    queued = OrmQ.objects.all()
    assert queued.count() == 1 and queued[0].func() == national.EXPORT_TASK
    assert not ExchangeExport.objects.exists()  # queued, not run in the request
    html = client.get(reverse("exchange:exports")).content.decode()
    assert "等待后台执行" in html and 'http-equiv="refresh"' in html and "disabled" in html
    moment = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)
    JobState.objects.filter(name=national.EXPORT_JOB).update(running_since=moment, heartbeat=moment, progress=3,
                                                             total=10)
    html = client.get(reverse("exchange:exports")).content.decode()
    assert "导出进行中" in html and "3 / 10" in html and '<progress max="10" value="3">' in html


def test_a_queued_export_runs_in_the_worker_and_offers_its_files(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs the task in-process
    client = _credit(city)
    client.post(reverse("exchange:export_start"))
    export = ExchangeExport.objects.get()
    assert export.operator == "credit" and export.id_numbers == IdNumbers.MASKED
    state = jobs.state_of(national.EXPORT_JOB)
    assert state.last_ok and state.last_result["export"] == export.pk and not state.running
    html = client.get(reverse("exchange:exports")).content.decode()
    assert f"上次导出 {export.batch_code} 完成于" in html
    name = export.files.get(kind="xzcf").name
    link = reverse("exchange:export_file", args=[export.pk, name])
    assert link in html and client.get(link).status_code == 200
    assert 'http-equiv="refresh"' not in html


def test_a_refused_run_is_reported(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
    national.run_export(operator="credit")
    ExchangeExport.objects.update(status="running")  # another run holds the export
    _credit(city).post(reverse("exchange:export_start"))
    state = jobs.state_of(national.EXPORT_JOB)
    assert state.last_ok is False and "正在进行" in state.last_result["error"]
    assert "未能完成" in _credit(city).get(reverse("exchange:exports")).content.decode()


def test_only_the_credit_office_may_start(city: City) -> None:
    for role in ("submitter", "personnel", "district"):
        client = Client()
        client.force_login(city.users[role])
        assert client.post(reverse("exchange:export_start")).status_code == 403
    assert not OrmQ.objects.exists()


def test_export_list_sorts_and_exports(city: City) -> None:
    first = national.run_export(operator="credit").batch_code
    second = national.run_export(operator="credit", everything=True).batch_code
    client = _credit(city)
    rows = client.get(reverse("exchange:exports"), {"sort": "batch"}).context["table"].rows
    assert [r[0].text for r in rows] == [first, second]
    import io

    from openpyxl import load_workbook

    response = client.get(reverse("exchange:exports"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(streamed(response)), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "批次" and [v[0] for v in values[1:]] == [second, first]


def test_api_starts_an_export_and_reports_it(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _credit(city)
    queued = client.post("/api/exchange/exports")
    assert queued.status_code == 200 and queued.json()["queued"] is True and queued.json()["requested_at"]
    assert client.post("/api/exchange/exports").json()["queued"] is False  # once
    OrmQ.objects.all().delete()
    JobState.objects.filter(name=national.EXPORT_JOB).update(requested_at=None)
    monkeypatch.setattr(Conf, "SYNC", True)
    client.post("/api/exchange/exports")
    run = client.get("/api/exchange/exports/run").json()
    export = ExchangeExport.objects.get()
    assert run["last_ok"] is True and run["last_export"] == export.pk and run["running"] is False
