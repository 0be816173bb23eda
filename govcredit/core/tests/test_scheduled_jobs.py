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
from govcredit.core.jobs import (
    DailyJob,
    FrequentJob,
    daily_jobs,
    ensure_schedules,
    frequent_jobs,
    register_job,
)
from govcredit.testing import build_city, database_url

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)




def test_each_app_registers_its_own_jobs() -> None:
    """The apps' ``ready()`` fill the registry: ``core`` names no other app's function."""
    assert {(job.name, job.func, job.hour, job.minute) for job in daily_jobs()} == {
        ("公示期届满处理", "govcredit.archive.services.expire_publicity", 0, 30),
        ("留痕账本核验", "govcredit.ledger.jobs.verify_ledger", 2, 0),
        ("留痕检查点签发", "govcredit.ledger.checkpoints.write_current", 1, 50),
        ("办理事项到期提醒", "govcredit.workflow.services.send_reminders", 8, 0),
        ("奖惩措施期满处理", "govcredit.sanctions.services.expire_measures", 1, 30),
        ("履约事项到期与逾期处理", "govcredit.obligations.services.run_daily", 1, 45),
        ("上一年度逾期合同公开提醒", "govcredit.obligations.workflow.remind_overdue_lists", 8, 10),
        ("指标计算与预警", "govcredit.indicators.services.run", 2, 10),
    }
    assert {(job.name, job.func, job.minutes) for job in frequent_jobs()} == {
        ("公开信息同步（发布与撤下）", "govcredit.disclosure.services.sync", 10),
        ("双公示统计刷新", "govcredit.statistics.services.refresh", 5),
        ("归集批次续跑", "govcredit.intake.services.resume_stalled", 1),
        ("PPP项目与承诺导入续跑", "govcredit.commitments.runs.resume_stalled", 1),
        ("办理事项逾期标记与督办", "govcredit.workflow.services.mark_overdue", 60),
    }


def test_a_job_name_belongs_to_one_job_and_its_function_to_us() -> None:
    job = daily_jobs()[0]
    register_job(job)  # the same job again (a second ready()) changes nothing
    with pytest.raises(ValueError, match="already"):
        register_job(DailyJob(job.name, job.func, (job.hour + 1) % 24, job.minute))
    with pytest.raises(ValueError, match="this project"):
        register_job(FrequentJob("别人的任务", "othersite.job", 5))
    assert daily_jobs()[0] == job


@pytest.mark.django_db
def test_daily_schedules_exist_after_migrate() -> None:
    ensure_schedules()
    names = set(Schedule.objects.values_list("name", flat=True))
    assert {job.name for job in daily_jobs()} | {job.name for job in frequent_jobs()} <= names
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
    assert record.status == RecordStatus.VALID and record.publicity_end is not None
    assert record.publicity_end < clock.today()
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
    sync = frequent_jobs()[0]
    Schedule.objects.filter(name=sync.name).update(minutes=60, func="govcredit.old.sync", args="(1,)")
    overdue = Schedule.objects.get(name=daily_jobs()[0].name).next_run - dt.timedelta(days=3)
    Schedule.objects.filter(name=daily_jobs()[0].name).update(next_run=overdue)  # kept: it runs now
    Schedule.objects.filter(name=daily_jobs()[1].name).update(next_run=overdue)  # another time of day: moved
    Schedule.objects.create(name="旧任务", func="govcredit.old.job", schedule_type=Schedule.DAILY, repeats=-1)
    Schedule.objects.create(name="别人的任务", func="othersite.job", schedule_type=Schedule.DAILY, repeats=-1)
    Schedule.objects.create(name=sync.name, func=sync.func, schedule_type=Schedule.MINUTES, minutes=10, repeats=-1)
    ensure_schedules()
    mine = Schedule.objects.get(name=sync.name)  # the duplicate is gone too
    assert (mine.func, mine.minutes, mine.args, mine.schedule_type) == (sync.func, sync.minutes, None,
                                                                        Schedule.MINUTES)
    assert Schedule.objects.get(name=daily_jobs()[0].name).next_run == overdue
    moved = Schedule.objects.get(name=daily_jobs()[1].name).next_run
    assert moved > overdue and timezone.localtime(moved).time() == dt.time(daily_jobs()[1].hour, daily_jobs()[1].minute)
    names = set(Schedule.objects.values_list("name", flat=True))
    assert "旧任务" not in names and "别人的任务" in names
    jobs: tuple[DailyJob | FrequentJob, ...] = (*daily_jobs(), *frequent_jobs())
    assert names == {job.name for job in jobs} | {"别人的任务"}
