"""Daily jobs run by the django-q2 scheduler. Each is idempotent and safe on several workers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django_q.models import Schedule

logger = logging.getLogger("govcredit.jobs")


@dataclass(frozen=True)
class DailyJob:
    name: str
    func: str
    hour: int
    minute: int


@dataclass(frozen=True)
class FrequentJob:
    name: str
    func: str
    minutes: int


DAILY_JOBS = (
    DailyJob("公示期届满处理", "govcredit.archive.services.expire_publicity", 0, 30),
    DailyJob("留痕账本核验", "govcredit.core.jobs.verify_ledger", 2, 0),
    DailyJob("留痕检查点签发", "govcredit.ledger.checkpoints.write_current", 1, 50),
)
# Publishing and withdrawing run often: a revoked penalty must leave the portal within 3 days.
FREQUENT_JOBS = (
    FrequentJob("公开信息同步（发布与撤下）", "govcredit.disclosure.services.sync", 10),
    FrequentJob("双公示统计刷新", "govcredit.statistics.services.refresh", 5),
)


def verify_ledger() -> int:
    """Nightly chain and record check; findings are logged as errors for the operators."""
    from govcredit.ledger.services import verify

    report = verify()
    for finding in report.findings:
        logger.error("留痕核验：%s", finding.message)
    return len(report.findings)


def ensure_schedules() -> None:
    """Create the daily schedules if they are missing (called after every migrate)."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.localtime()
    for job in DAILY_JOBS:
        first = now.replace(hour=job.hour, minute=job.minute, second=0, microsecond=0)
        if first <= now:
            first += dt.timedelta(days=1)
        Schedule.objects.get_or_create(
            name=job.name, defaults={"func": job.func, "schedule_type": Schedule.DAILY, "next_run": first, "repeats": -1}
        )
    for fjob in FREQUENT_JOBS:
        Schedule.objects.get_or_create(
            name=fjob.name, defaults={"func": fjob.func, "schedule_type": Schedule.MINUTES, "minutes": fjob.minutes,
                                      "next_run": now, "repeats": -1},
        )
