"""The scheduler runs a due daily job without anyone starting the job: a real django-q2 cluster."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.core.jobs import DAILY_JOBS, FREQUENT_JOBS, ensure_schedules
from govcredit.testing import build_city, database_url

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)




@pytest.mark.django_db
def test_daily_schedules_exist_after_migrate() -> None:
    ensure_schedules()
    names = set(Schedule.objects.values_list("name", flat=True))
    assert {job.name for job in DAILY_JOBS} | {job.name for job in FREQUENT_JOBS} <= names
    ensure_schedules()
    assert Schedule.objects.count() == len(names)


@pytest.mark.django_db(transaction=True)
def test_cluster_runs_due_expiry_job_by_itself() -> None:
    city = build_city()
    # A 2020 discipline record of severity 一般 (24 months' publicity): its window ended in 2022.
    record = record_decision(RecordType.objects.get(code="jlcf").current(), {
        "处分决定文号": "玄纪〔2020〕3号", "处分机关": "玄武区纪委监委", "处分决定日期": "2020-01-10",
        "处分种类": "警告", "违纪违法事实": "迟报统计数据", "严重程度": "一般",
    }, issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="test")
    assert record.status == RecordStatus.VALID and record.publicity_end < clock.today()
    ensure_schedules()
    # The cluster is another process on the machine's own clock (the suite's clock may be moved), so the
    # job is made due at a moment that is past on both.
    Schedule.objects.filter(func="govcredit.archive.services.expire_publicity").update(next_run=LONG_AGO)
    env = {**os.environ, "DATABASE_URL": database_url(), "GOVCREDIT_WORKERS": "1",
           "GOVCREDIT_CHECKPOINT_FILE": str(settings.LEDGER_CHECKPOINT_FILE)}
    cluster = subprocess.Popen([sys.executable, "-m", "govcredit.cli", "qcluster"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if CreditRecord.objects.get(pk=record.pk).status == RecordStatus.EXPIRED:
                break
            time.sleep(1)
    finally:
        cluster.terminate()
        cluster.wait(timeout=30)
    assert CreditRecord.objects.get(pk=record.pk).status == RecordStatus.EXPIRED
    assert CreditRecord.objects.get(pk=city.records["xuanwu_discipline"].pk).status == RecordStatus.VALID
    schedule = Schedule.objects.get(func="govcredit.archive.services.expire_publicity")
    assert schedule.next_run > LONG_AGO + dt.timedelta(days=365)  # ran, and moved on to its next day


@pytest.mark.django_db
def test_schedules_follow_the_code() -> None:
    """A changed interval, function or argument reaches an existing database; obsolete schedules of ours go."""
    ensure_schedules()
    sync = FREQUENT_JOBS[0]
    Schedule.objects.filter(name=sync.name).update(minutes=60, func="govcredit.old.sync", args="(1,)")
    overdue = Schedule.objects.get(name=DAILY_JOBS[0].name).next_run - dt.timedelta(days=3)
    Schedule.objects.filter(name=DAILY_JOBS[0].name).update(next_run=overdue)  # kept: it runs now
    Schedule.objects.filter(name=DAILY_JOBS[1].name).update(next_run=overdue)  # another time of day: moved
    Schedule.objects.create(name="旧任务", func="govcredit.old.job", schedule_type=Schedule.DAILY, repeats=-1)
    Schedule.objects.create(name="别人的任务", func="othersite.job", schedule_type=Schedule.DAILY, repeats=-1)
    Schedule.objects.create(name=sync.name, func=sync.func, schedule_type=Schedule.MINUTES, minutes=10, repeats=-1)
    ensure_schedules()
    mine = Schedule.objects.get(name=sync.name)  # the duplicate is gone too
    assert (mine.func, mine.minutes, mine.args, mine.schedule_type) == (sync.func, sync.minutes, None,
                                                                        Schedule.MINUTES)
    assert Schedule.objects.get(name=DAILY_JOBS[0].name).next_run == overdue
    moved = Schedule.objects.get(name=DAILY_JOBS[1].name).next_run
    assert moved > overdue and timezone.localtime(moved).time() == dt.time(DAILY_JOBS[1].hour, DAILY_JOBS[1].minute)
    names = set(Schedule.objects.values_list("name", flat=True))
    assert "旧任务" not in names and "别人的任务" in names
    assert names == {job.name for job in (*DAILY_JOBS, *FREQUENT_JOBS)} | {"别人的任务"}
