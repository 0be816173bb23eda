"""A batch whose worker died while 处理中 is taken up again by the next worker within a minute."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signals import post_spawn

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.core.jobs import claimant_gone, frequent_jobs, this_host
from govcredit.intake.models import BatchStatus, ImportBatch
from govcredit.intake.services import (
    STALE_HEARTBEAT,
    resume_stalled,
    run_batch,
    submit_file,
)
from govcredit.intake.tasks import process_batch

from .conftest import csv_bytes, penalty, write

ROWS = 25


class Killed(BaseException):
    """Stands for kill -9: nothing of the process runs after it (no 失败 status, no cleanup)."""


def _killed_after_one_chunk(city: Any, tmp_path: Path) -> ImportBatch:
    path = write(tmp_path, "处罚.csv", csv_bytes([penalty(i) for i in range(1, ROWS + 1)]))
    batch, _ = submit_file(path, record_type=RecordType.objects.get(name="行政处罚"), org=city.orgs["scjg"],
                           actor="tester")

    def die(b: ImportBatch, rows: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        run_batch(batch.pk, chunk_size=10, progress=die)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING and batch.chunks_done == 1 and batch.heartbeat is not None
    return batch


def _age(batch: ImportBatch) -> None:
    """As if the dead worker's last heartbeat were more than a minute ago."""
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat=clock.now() - STALE_HEARTBEAT - dt.timedelta(seconds=1))


def test_a_stalled_batch_is_resumed_by_the_next_worker(city: Any, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _killed_after_one_chunk(city, tmp_path)
    assert resume_stalled() == 0  # its heartbeat is fresh: the worker may still be alive
    assert run_batch(batch.pk).chunks_done == 1  # nor does anyone else take it
    _age(batch)
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs the re-enqueued task in-process
    assert resume_stalled() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.chunks_done == 2 and batch.accepted == ROWS
    assert CreditRecord.objects.filter(batch_id=batch.pk).count() == ROWS
    assert resume_stalled() == 0


def test_the_resumed_batch_belongs_to_the_enqueued_task_only(city: Any, tmp_path: Path) -> None:
    batch = _killed_after_one_chunk(city, tmp_path)
    _age(batch)
    assert resume_stalled() == 1 and resume_stalled() == 0  # claimed once, enqueued once
    task = OrmQ.objects.get()
    assert task.func() == "govcredit.intake.tasks.process_batch" and task.args()[0] == batch.pk
    assert run_batch(batch.pk).status == BatchStatus.RUNNING  # a late retry of the dead task stays out
    assert ImportBatch.objects.get(pk=batch.pk).chunks_done == 1
    assert process_batch(*task.args()).startswith("已完成")


def test_the_resume_job_runs_every_minute() -> None:
    job = next(j for j in frequent_jobs() if j.func == "govcredit.intake.services.resume_stalled")
    assert job.minutes == 1 and STALE_HEARTBEAT <= dt.timedelta(seconds=60)


def _claimed_by_a_dead_process(batch: ImportBatch) -> None:
    """As if the batch's worker on this machine had been killed just now (its heartbeat still fresh)."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    ImportBatch.objects.filter(pk=batch.pk).update(worker=f"{this_host()}:{gone.pid}:x")


def test_a_batch_whose_process_died_on_this_machine_is_resumed_at_once(city: Any, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _killed_after_one_chunk(city, tmp_path)
    assert not claimant_gone(ImportBatch.objects.get(pk=batch.pk).worker)  # this test's own process: alive
    _claimed_by_a_dead_process(batch)
    monkeypatch.setattr(Conf, "SYNC", True)
    assert resume_stalled() == 1  # no wait for the heartbeat to age
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.accepted == ROWS


def test_a_worker_that_starts_takes_up_the_batch_of_a_dead_one(city: Any, tmp_path: Path) -> None:
    batch = _killed_after_one_chunk(city, tmp_path)
    _claimed_by_a_dead_process(batch)
    post_spawn.send(sender="django_q", proc_name="Process-1:1")  # what a (re)started worker sends first
    task = OrmQ.objects.get()
    assert task.func() == "govcredit.intake.tasks.process_batch" and task.args()[0] == batch.pk


def test_running_the_import_again_after_a_kill_continues_at_once(city: Any, tmp_path: Path) -> None:
    batch = _killed_after_one_chunk(city, tmp_path)
    _claimed_by_a_dead_process(batch)
    done = run_batch(batch.pk)
    assert done.status == BatchStatus.DONE and done.chunks_done == 2 and done.accepted == ROWS
