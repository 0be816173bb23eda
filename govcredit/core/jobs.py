"""Scheduled jobs run by the django-q2 scheduler, and what every background job shares.

Each job is idempotent and safe on several workers: it claims its rows atomically
(``select_for_update(skip_locked=True)`` on PostgreSQL, the write lock SQLite takes at BEGIN) or,
for a whole-table job, the claim on its :class:`~govcredit.core.models.JobState` row.

* :func:`register_job`: each app registers its own scheduled jobs from its ``apps.py`` ``ready()`` (this
  module names no app's function, so ``core`` depends on no other app); :func:`scheduled_jobs` lists them.
* :func:`ensure_schedules` makes the database's schedules follow the registered jobs.
* :func:`request_run`, :func:`start`, :func:`advance`, :func:`finish`: a long job's state row, which the
  pages read (running since, progress, last result); a page only ever enqueues a run.
* :func:`read_rows` and :func:`each_row`: a job that meets one bad row reports it and goes on with the rest.
* :func:`collector_paused`: a chunk of a set-based job without the cyclic garbage collector's full passes.
* :func:`claim_token` and :func:`claimant_gone`: a claim on one row of work (an intake batch, an import run)
  that names its process, so a claim whose process died is seen at once on the same machine.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import operator
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.models import Schedule

from govcredit.core import clock

from .models import JobState

logger = logging.getLogger("govcredit.jobs")

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a chunk of a set-based job with Python's cyclic garbage collector off (as it was, afterwards).

    A chunk reads thousands of rows as tuples and makes as many entries; they are freed by reference counting
    when the chunk ends, yet their allocation alone triggers collections, and a full one walks every object of
    the process (Django's included): a tenth of a second or more, as long as the chunk's own work. Memory stays
    bounded by the chunk; cycles made meanwhile are collected once the collector is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


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


# Our schedules are the ones whose function lives in this project: any other name of ours is obsolete.
OWN_FUNCS = "govcredit."

KEPT_FINDINGS = 200  # a job's result (shown on its page) keeps this many findings; the log has them all

_JOBS: dict[str, DailyJob | FrequentJob] = {}


def register_job(job: DailyJob | FrequentJob) -> None:
    """Schedule ``job`` (called from its app's ``ready()``); a job's name is its schedule's key, so two
    jobs may not share one, and the function must be ours, or :func:`ensure_schedules` would not own it."""
    if not job.func.startswith(OWN_FUNCS):
        raise ValueError(f"{job.func}: a scheduled job's function must live in this project")
    if _JOBS.get(job.name, job) != job:
        raise ValueError(f"{job.name}: another scheduled job already has this name")
    _JOBS[job.name] = job


def scheduled_jobs() -> tuple[DailyJob | FrequentJob, ...]:
    """Every registered job, in the order the apps registered them."""
    return tuple(_JOBS.values())


def daily_jobs() -> tuple[DailyJob, ...]:
    return tuple(job for job in _JOBS.values() if isinstance(job, DailyJob))


def frequent_jobs() -> tuple[FrequentJob, ...]:
    return tuple(job for job in _JOBS.values() if isinstance(job, FrequentJob))


def ensure_schedules() -> None:
    """Make the schedules follow the code (called after every migrate).

    An existing schedule gets the code's function, interval and arguments (its next run is kept unless
    its kind, interval or time of day changed), a missing one is created, and schedules of ours (their
    function is in this project) that the code no longer names are removed.
    """
    now = clock.now()
    Schedule.objects.filter(func__startswith=OWN_FUNCS).exclude(name__in=list(_JOBS)).delete()
    for job in daily_jobs():
        _follow(job.name, job.func, Schedule.DAILY, None, _next_daily(job, now))
    for fjob in frequent_jobs():
        _follow(fjob.name, fjob.func, Schedule.MINUTES, fjob.minutes, now)


def _next_daily(job: DailyJob, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    first = local.replace(hour=job.hour, minute=job.minute, second=0, microsecond=0)
    return first if first > local else first + dt.timedelta(days=1)


def _follow(name: str, func: str, kind: str, minutes: int | None, first: dt.datetime) -> None:
    wanted: dict[str, Any] = {"func": func, "schedule_type": kind, "minutes": minutes, "args": None, "kwargs": None,
                              "repeats": -1}
    schedule = Schedule.objects.filter(name=name).order_by("pk").first()
    if schedule is None:
        Schedule.objects.create(name=name, next_run=first, **wanted)
        return
    Schedule.objects.filter(name=name).exclude(pk=schedule.pk).delete()  # a duplicate would run the job twice
    # A new kind, interval or time of day starts from the code's next run; otherwise the next run is kept.
    moved = (schedule.schedule_type != kind or schedule.minutes != minutes or schedule.next_run is None
             or (kind == Schedule.DAILY and _daily_time(schedule.next_run) != _daily_time(first)))
    if moved or any(getattr(schedule, k) != v for k, v in wanted.items()):
        Schedule.objects.filter(pk=schedule.pk).update(**wanted, **({"next_run": first} if moved else {}))


def _daily_time(moment: dt.datetime) -> tuple[int, int]:
    local = timezone.localtime(moment)
    return local.hour, local.minute


# --------------------------------------------------------------------------- a long job's state row

STALE_RUN = dt.timedelta(minutes=10)  # a run whose heartbeat is older is taken as dead: another may claim
STALE_REQUEST = dt.timedelta(minutes=10)  # a queued request no worker took up may be made again


def _state(name: str) -> None:
    try:
        JobState.objects.get_or_create(name=name)
    except IntegrityError:  # another process created it just now
        pass


def state_of(name: str) -> JobState:
    """The job's state row, for a page to show (created empty if the job never ran)."""
    return JobState.objects.filter(name=name).first() or JobState(name=name)


def request_run(name: str, func: str, *args: Any, **kwargs: Any) -> bool:
    """Enqueue ``func(*args, **kwargs)`` in the task queue unless a run is queued or running already.

    This is all a page does: the job itself runs in a worker. Returns whether a run was enqueued.
    """
    from django_q.tasks import async_task

    _state(name)
    now = clock.now()
    free = (JobState.objects.filter(name=name)
            .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - STALE_REQUEST))
            .filter(Q(running_since__isnull=True) | Q(heartbeat__lt=now - STALE_RUN)))
    if free.update(requested_at=now) != 1:
        return False
    async_task(func, *args, task_name=name, group=name, **kwargs)
    return True


def start(name: str, total: int | None = None, stale: dt.timedelta = STALE_RUN) -> bool:
    """Claim the job's run: False when another live run holds it (its heartbeat is newer than ``stale``)."""
    _state(name)
    now = clock.now()
    claimed = (JobState.objects.filter(name=name)
               .filter(Q(running_since__isnull=True) | Q(heartbeat__isnull=True) | Q(heartbeat__lt=now - stale))
               .update(running_since=now, heartbeat=now, last_started=now, progress=0, total=total, requested_at=None))
    return claimed == 1


def advance(name: str, done: int, total: int | None = None) -> None:
    """Progress of the running job (also its heartbeat)."""
    changes: dict[str, Any] = {"progress": F("progress") + done, "heartbeat": clock.now()}
    if total is not None:
        changes["total"] = total
    JobState.objects.filter(name=name).update(**changes)


def finish(name: str, ok: bool, result: dict[str, Any]) -> None:
    """End the run, keeping its result for the pages."""
    now = clock.now()
    JobState.objects.filter(name=name).update(running_since=None, heartbeat=now, last_finished=now, last_ok=ok,
                                              last_result=result)


# --------------------------------------------------------------------------- a claim on one row of work


def this_host() -> str:
    """This machine's name as a claim carries it (the claim column has room for 100 characters)."""
    return socket.gethostname()[:40]


def claim_token() -> str:
    """A claim naming its process (``host:pid:random``), so that another process on the same machine can
    tell at once that the claimant has died (:func:`claimant_gone`) instead of waiting for its heartbeat."""
    return f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex}"


def claimant_gone(worker: str) -> bool:
    """Whether the process that made claim ``worker`` ran on this machine and no longer exists."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != this_host() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def stalled(running: str, now: dt.datetime, stale: dt.timedelta) -> Q:
    """A background run in state ``running`` whose heartbeat stopped ``stale`` ago (or never beat)."""
    return Q(status=running) & (Q(heartbeat__isnull=True) | Q(heartbeat__lt=now - stale))


def claim_run(model: type[models.Model], pk: int, *, waiting: Q, running: str, stale: dt.timedelta,
              handed: str | None = None, **reset: Any) -> str | None:
    """Claim the background run ``pk`` (a row with ``status``, ``worker``, ``heartbeat`` and ``started_at``) for
    this process in one conditional UPDATE, setting ``reset`` too; the new claim, or None if it is finished or
    another live process holds it. Free are the ``waiting`` runs, runs ``running`` whose heartbeat stopped or
    whose claimant on this machine died, and the one :func:`hand_back_stalled` handed to this task (``handed``)."""
    manager = model._default_manager
    now = clock.now()
    free = waiting | stalled(running, now, stale)
    if handed:
        free |= Q(status=running, worker=handed)
    holder = manager.filter(pk=pk, status=running).values_list("worker", flat=True).first()
    if holder and claimant_gone(holder):
        free |= Q(status=running, worker=holder)
    token = claim_token()
    claimed = manager.filter(free, pk=pk).update(status=running, worker=token, heartbeat=now,
                                                 started_at=Coalesce(F("started_at"), Value(now)), **reset)
    return token if claimed else None


_worker = operator.attrgetter("worker")  # the claim column of any run model


def hand_back_stalled(model: type[models.Model], *, running: str, stale: dt.timedelta,
                      enqueue: Callable[[Any, str], object], describe: Callable[[Any], str]) -> int:
    """Hand every background run (a row with ``status``, ``worker`` and ``heartbeat``) whose worker died back to
    the task queue: one in state ``running`` whose claimant process on this machine no longer exists
    (:func:`claimant_gone`), or whose heartbeat stopped ``stale`` ago (a worker on another machine). Each is
    taken in one conditional UPDATE (so two schedulers never both take it) with a new claim that only the task
    ``enqueue(run, claim)`` starts holds; ``describe(run)`` is logged. Returns how many were handed back."""
    manager = model._default_manager
    dead = [run.pk for run in manager.filter(status=running, worker__startswith=f"{this_host()}:")
            .only("pk", "worker") if claimant_gone(_worker(run))]
    resumed = 0
    for run in manager.filter(stalled(running, clock.now(), stale) | Q(pk__in=dead)).order_by("pk")[:100]:
        worker = uuid.uuid4().hex
        taken = Q(worker=_worker(run)) if run.pk in dead else stalled(running, clock.now(), stale)
        if manager.filter(taken, pk=run.pk, status=running).update(worker=worker, heartbeat=clock.now()) != 1:
            continue
        logger.warning("%s", describe(run))
        enqueue(run, worker)
        resumed += 1
    return resumed


# --------------------------------------------------------------------------- one bad row


@dataclass(frozen=True)
class RowFailure:
    """A row a job could not handle: it is logged and reported, and the job goes on with the others."""

    pk: Any
    error: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _failure(job: str, pk: Any, error: BaseException) -> RowFailure:
    logger.error("%s：第 %s 条数据无法处理，已跳过：%s", job, pk, error, exc_info=error)
    return RowFailure(pk, f"{type(error).__name__}: {error}"[:500])


def read_rows(job: str, queryset: QuerySet[M], pks: Sequence[Any],
              failures: list[RowFailure]) -> list[M]:
    """The rows of ``pks`` in pk order; a row that cannot even be read (a stored value the ORM cannot
    convert, such as an amount beyond its column) is added to ``failures`` and left out."""
    try:
        return list(queryset.filter(pk__in=pks).order_by("pk"))
    except Exception:  # noqa: BLE001 - find the row, one by one
        rows: list[M] = []
        for pk in pks:
            try:
                with transaction.atomic():  # a database error must not end the caller's transaction
                    rows.extend(queryset.filter(pk=pk))
            except Exception as e:  # noqa: BLE001 - reported, the job goes on
                failures.append(_failure(job, pk, e))
        return rows


def each_row(job: str, rows: Iterable[M], build: Callable[[M], T], failures: list[RowFailure]) -> list[T]:
    """``build(row)`` for every row; a row whose build raises is added to ``failures`` and left out."""
    out: list[T] = []
    for row in rows:
        try:
            out.append(build(row))
        except Exception as e:  # noqa: BLE001 - reported, the job goes on
            failures.append(_failure(job, row.pk, e))
    return out
