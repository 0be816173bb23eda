"""The import as a run (``runs.py``), the way the intake runs its batches: queued, run by the task queue (or the
command), its progress and result on its own page, a failure that keeps what was committed, the query codes
shown once, and who may see a run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_q.conf import Conf

from govcredit.commitments import runs, services
from govcredit.commitments.importer import PROJECTS, PROMISES
from govcredit.commitments.models import ImportCode, ImportJob, ImportStatus, PPPProject, Promise
from govcredit.commitments.tasks import process_import
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, on_day

from .test_import import DAY, World, promise_row, stage_row, workbook

pytestmark = [pytest.mark.time_machine(on_day(DAY))]


@pytest.fixture
def world(shared_city: City, tmp_path: Path, settings: Any) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    return World(shared_city, tmp_path)


def _client(world: World, role: str = "district") -> Client:
    client = Client()
    client.force_login(world.city.users[role])
    return client


def _mixed(world: World) -> Path:
    """One project (two stage rows) and two promises, the second refused (its kind)."""
    return workbook(world.tmp / "mixed.xlsx", {
        PROJECTS: [stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-05"),
                   stage_row("XW-PPP-01", world.xuanwu, "准备", "2026-03-01")],
        PROMISES: [promise_row("XW-ZS-001", world.xuanwu), promise_row("XW-ZS-002", world.xuanwu, 承诺类别="奖励")]})


class TestService:
    def test_a_run_goes_from_queued_to_done_with_its_counts(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district, file_name="mixed.xlsx")
        assert job.status == ImportStatus.QUEUED and job.org == world.city.orgs["xuanwu"] and job.actor == "district"
        assert Path(job.file_path).parent == Path(runs.storage_dir()) and Path(job.file_path).exists()
        assert process_import(job.pk).startswith("已完成")
        job.refresh_from_db()
        assert (job.status, job.rows_total, job.rows_done, job.n_rejected) == (ImportStatus.DONE, 4, 4, 1)
        assert job.counts["projects_created"] == 1 and job.counts["promises_created"] == 1
        assert job.errors == [["承诺", 3, "承诺类别", job.errors[0][3]]] and job.started_at and job.finished_at
        assert job.run is not None and job.run.n_rejected == 1 and job.run.counts == job.counts
        # the code waits encrypted, for the person who ran the import only, and only once
        kept = ImportCode.objects.get(job=job)
        assert kept.number == "XW-ZS-001" and len(kept.code) > 40
        assert runs.take_codes(job, world.city.users["credit"]) == []
        (number, code), = runs.take_codes(job, world.district)
        assert number == "XW-ZS-001" and services.find_by_code(number, code) == Promise.objects.get(number=number)
        assert runs.take_codes(job, world.district) == [] and not ImportCode.objects.exists()
        # a finished run is not run again
        again, report = runs.run_job(job.pk)
        assert report is None and again.status == ImportStatus.DONE

    def test_a_failure_keeps_what_was_committed_and_says_why(self, world: World,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
        path = _mixed(world)

        def broken(**kwargs: Any) -> Any:
            raise RuntimeError("磁盘已满")

        monkeypatch.setattr(services, "make_promise", broken)
        job = runs.submit(path, user=world.district)
        job, report = runs.run_job(job.pk)
        assert report is not None and report.failed
        assert job.status == ImportStatus.FAILED and "磁盘已满" in job.message and "保持不变" in job.message
        assert job.finished_at is not None and job.rows_done == 2  # the project's two rows, committed
        assert PPPProject.objects.filter(number="XW-PPP-01").exists() and not Promise.objects.exists()
        assert job.run is not None and job.run.counts["projects_created"] == 1
        assert "导入中断" in LedgerEntry.objects.get(action="commitments.import.run", entity_id=str(job.run.pk)).reason
        # a library's own words are not shown, only where to find them
        monkeypatch.setattr(services, "make_promise", lambda **kw: (_ for _ in ()).throw(KeyError("x")))
        job2, _ = runs.run_job(runs.submit(path, user=world.district).pk)
        assert job2.status == ImportStatus.FAILED and "服务器日志" in job2.message and "KeyError" not in job2.message
        # the same file again goes on where it stopped
        monkeypatch.undo()
        job3, _ = runs.run_job(runs.submit(path, user=world.district).pk)
        assert job3.status == ImportStatus.DONE
        assert job3.counts["projects_unchanged"] == 1 and job3.counts["promises_created"] == 1

    def test_a_run_held_by_a_live_worker_is_left_alone_a_dead_ones_is_taken_up(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, worker="elsewhere:1:x",
                                                   heartbeat=clock.now())
        held, report = runs.run_job(job.pk)
        assert report is None and held.status == ImportStatus.RUNNING and not PPPProject.objects.exists()
        ImportJob.objects.filter(pk=job.pk).update(heartbeat=clock.now() - dt.timedelta(minutes=5))
        taken, report = runs.run_job(job.pk)
        assert report is not None and taken.status == ImportStatus.DONE and taken.rows_done == 4


class TestPages:
    def test_the_run_page_shows_progress_and_refreshes_until_done(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district, file_name="mixed.xlsx")
        client = _client(world)
        html = client.get(reverse("commitments:import_run", args=[job.pk])).content.decode()
        assert "排队中" in html and 'http-equiv="refresh"' in html and "已处理 0 行" in html
        assert 'id="import-result"' not in html and "mixed.xlsx" in html
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, rows_total=10, rows_done=4,
                                                   counts={"projects_created": 1})
        html = client.get(reverse("commitments:import_run", args=[job.pk])).content.decode()
        assert "导入中" in html and "已处理 4 行，共 10 行" in html and 'value="40"' in html
        assert 'http-equiv="refresh"' in html
        listing = client.get(reverse("commitments:import_page")).content.decode()
        assert reverse("commitments:import_run", args=[job.pk]) in listing and "导入中" in listing
        runs.run_job(job.pk)
        html = client.get(reverse("commitments:import_run", args=[job.pk])).content.decode()
        assert "已完成" in html and 'http-equiv="refresh"' not in html and 'id="import-codes"' in html
        assert "新建项目 1" in html and "拒绝 1 行" in html and 'id="import-errors"' in html

    def test_a_failed_run_shows_its_reason(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(services, "make_promise", lambda **kw: (_ for _ in ()).throw(RuntimeError("磁盘已满")))
        job, _ = runs.run_job(runs.submit(_mixed(world), user=world.district).pk)
        html = _client(world).get(reverse("commitments:import_run", args=[job.pk])).content.decode()
        assert "失败" in html and "磁盘已满" in html and 'http-equiv="refresh"' not in html

    def test_scope_a_run_of_another_organisation_is_not_found(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district, file_name="mixed.xlsx")
        url = reverse("commitments:import_run", args=[job.pk])
        assert _client(world, "submitter").get(url).status_code == 404
        assert _client(world, "credit").get(url).status_code == 200
        assert _client(world, "personnel").get(url).status_code == 403  # a role that may not import
        assert "mixed.xlsx" not in _client(world, "submitter").get(reverse("commitments:import_page")).content.decode()
        assert "mixed.xlsx" in _client(world, "credit").get(reverse("commitments:import_page")).content.decode()

    def test_the_run_page_in_english(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district, file_name="mixed.xlsx")
        client = _client(world)
        with translation.override("en"):
            url = reverse("commitments:import_run", args=[job.pk])
            listing_url = reverse("commitments:import_page")
        html = client.get(url).content.decode()
        assert "Queued" in html and "0 rows processed" in html and "refreshes every 2 seconds" in html
        runs.run_job(job.pk)
        html = client.get(url).content.decode()
        assert 'id="import-status">Succeeded<' in html and "Submitted at" in html and "Finished at" in html
        for label in ("已处理", "导入完成", "提交时间", "排队中", "页面上传"):
            assert label not in html, label
        assert "Submitted at" in client.get(listing_url).content.decode()


class TestResume:
    def test_a_run_whose_worker_died_is_handed_back_to_the_queue_once(self, world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(Conf, "SYNC", True)
        fresh = runs.submit(_mixed(world), user=world.district)
        ImportJob.objects.filter(pk=fresh.pk).update(status=ImportStatus.RUNNING, worker="elsewhere:1:x",
                                                     heartbeat=clock.now())
        assert runs.resume_stalled() == 0  # alive: its heartbeat is recent
        ImportJob.objects.filter(pk=fresh.pk).update(heartbeat=clock.now() - dt.timedelta(minutes=3))
        assert runs.resume_stalled() == 1  # the queue (in-process here) runs it at once
        job = ImportJob.objects.get(pk=fresh.pk)
        assert job.status == ImportStatus.DONE and job.counts["projects_created"] == 1
        assert runs.resume_stalled() == 0

    def test_the_handed_claim_alone_lets_a_task_run_it(self, world: World) -> None:
        job = runs.submit(_mixed(world), user=world.district)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, worker="handoff:abc",
                                                   heartbeat=clock.now())
        assert process_import(job.pk).startswith("导入中")  # not its claim: left alone
        assert process_import(job.pk, "handoff:abc").startswith("已完成")
