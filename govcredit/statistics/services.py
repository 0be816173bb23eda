"""双公示 timeliness and completeness (§二(四), §四(一): 7 working days, toward the 100% target).

Definitions (the same on every page, in the XLSX export and in the API):

* **双公示决定** — every archive record whose catalog version has ``double_publicity`` (行政许可, 行政处罚),
  whatever its status.
* **应公示** — a decision the disclosure rules let the portal show (``disclosure.rules.refusal`` is None:
  公开 type, a severity that is published, not only 警告/通报批评 or a low fine); a decision revoked before it
  was ever published is not counted either.
* **公示用时** — ``workdays_between(decision_date, published_on)``: working days after the decision date up to and
  including the local date of ``Publication.published_at``, under the State Council holiday schedule.
* **按时公示** — published with 公示用时 ≤ ``publication["publish_within_workdays"]`` of the record's version
  (default 7). **逾期公示** — published later than that. **逾期未公示** — not published although that many working
  days have already passed (today is after the last on-time day). **期限内待公示** — not published, still in time.
* **及时率** = 按时公示 / (按时公示 + 逾期公示 + 逾期未公示): decisions still in time are left out until they settle.
  **公示率** = (按时公示 + 逾期公示) / the same denominator.
* **数据完整** — the values as stored (record columns + ``data``, by field key) pass ``catalog.schema.validate``
  against the record's own version: every required field present and every present value valid for its type.
  The encrypted ID-number column is never decrypted here: it counts as present when the record has one
  (it was validated when entered). **完整率** = 数据完整 / 双公示决定.
* **区域** — the issuing organisation's ancestor at depth 1 under the city root when that ancestor is a district
  (its 行政区划代码 differs from the city's); city departments and the city itself are “市本级”.
* Months are the months of the decision date.

Per-decision work that needs Python (re-validation, the disclosure rules, working days) is done once per changed
decision by :func:`refresh` into :class:`~govcredit.statistics.models.DecisionFact`; working days are computed per
distinct (date, date) pair through a per-run cache. The rates are then ``COUNT … FILTER`` aggregate queries
grouped by month and issuing organisation; departments, districts and the city are sums of those groups.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import RecordTypeVersion
from govcredit.core import clock, jobs
from govcredit.disclosure.models import Publication
from govcredit.workdays import services as workdays

from .counting import FIGURES, grouped_counts
from .facts import WorkdayCache, make_fact
from .models import DecisionFact, MonthlyFigure, RefreshState

CHUNK = 2000
JOB = "双公示统计刷新"
TASK = "govcredit.statistics.services.refresh"
CALENDAR_FIRST_YEAR = 2000

# Fields of CreditRecord a refresh never needs (the cipher above all: statistics never touch it).
_DEFERRED = ("counterparty_id_cipher", "subject_org", "subject_person", "batch_id", "created_at")


# --------------------------------------------------------------------------- refresh


@dataclass(frozen=True)
class RefreshResult:
    computed: int
    seconds: float
    full: bool
    skipped: bool = False
    failed: tuple[jobs.RowFailure, ...] = ()  # decisions whose fact could not be computed (logged, left stale)


def calendar_signature(today: dt.date | None = None) -> str:
    """A fingerprint of every year's working days from 2000 to next year: a schedule change forces a full refresh."""
    last = (today or clock.today()).year + 1
    h = hashlib.sha256()
    for year in range(CALENDAR_FIRST_YEAR, last + 1):
        cal = workdays.year_calendar(year)
        h.update(f"{year}:{cal.source}:{len(cal.working_ordinals)}:".encode())
        h.update(",".join(map(str, cal.working_ordinals)).encode())
    return h.hexdigest()


def double_publicity_records() -> QuerySet[CreditRecord]:
    return CreditRecord.objects.filter(type_version__double_publicity=True)


def stale_records() -> QuerySet[CreditRecord]:
    """双公示 records whose fact is missing or older than the record or its publication."""
    return double_publicity_records().filter(
        Q(statistics_fact__isnull=True)
        | Q(statistics_fact__record_updated_at__lt=F("updated_at"))
        | Q(statistics_fact__record_updated_at__gt=F("updated_at"))
        | Q(publication__isnull=False, statistics_fact__published_on__isnull=True)
    )


_UPDATE_FIELDS = [f.name for f in DecisionFact._meta.concrete_fields if f.name != "record"]


def _state() -> RefreshState:
    try:
        return RefreshState.objects.get_or_create(pk=1)[0]
    except IntegrityError:  # another process created it just now
        return RefreshState.objects.get(pk=1)


def request_refresh(*, full: bool = False) -> bool:
    """Enqueue a refresh in the task queue (the internal page's button); False when one is queued or running."""
    return jobs.request_run(JOB, TASK, full=full)


def _fact_of(record: CreditRecord, *, versions: dict[int, RecordTypeVersion],
             published: dict[int, dt.datetime], known: dict[int, dict[str, str]], cache: WorkdayCache) -> DecisionFact:
    return make_fact(record, versions[record.type_version_id], published.get(record.pk), cache, known.get(record.pk))


def refresh(*, full: bool = False, progress: Callable[[int], None] | None = None) -> RefreshResult:
    """Recompute the facts of changed decisions (all of them with ``full`` or after a calendar change).

    Runs in a worker (every few minutes, or on request) or from the command, never in a page request.
    Safe to run from several processes: only one holds the claim on the job's state row, the others return
    ``skipped``. Its progress and result (with the decisions it could not compute) are kept there for the
    pages. A decision whose stored data make its fact fail is logged, reported in ``failed`` and left for
    the next run; the others are counted.
    """
    if not jobs.start(JOB):
        return RefreshResult(0, 0.0, full, skipped=True)
    started = time.perf_counter()
    total = 0
    failures: list[jobs.RowFailure] = []
    try:
        state = _state()
        signature = calendar_signature()
        full = full or state.calendar_signature != signature
        candidates = (double_publicity_records() if full else stale_records()).order_by("pk")
        jobs.advance(JOB, 0, total=candidates.count())
        rows_of = double_publicity_records().defer(*_DEFERRED)
        versions: dict[int, RecordTypeVersion] = {v.pk: v for v in RecordTypeVersion.objects.filter(double_publicity=True)}
        cache = WorkdayCache()
        touched: set[dt.date] = set()
        last_pk = 0
        while True:
            ids = list(candidates.filter(pk__gt=last_pk).values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            last_pk = ids[-1]
            rows = jobs.read_rows(JOB, rows_of, ids, failures)
            published = dict(Publication.objects.filter(record_id__in=ids).values_list("record_id", "published_at"))
            # Completeness depends on the record's content only: keep it when the record has not changed since.
            updated_of = {r.pk: r.updated_at for r in rows}
            known = {rid: problems for rid, updated, problems in DecisionFact.objects.filter(record_id__in=ids)
                     .values_list("record_id", "record_updated_at", "problems") if updated == updated_of.get(rid)}
            facts = jobs.each_row(JOB, rows, partial(_fact_of, versions=versions, published=published, known=known,
                                                     cache=cache), failures)
            DecisionFact.objects.bulk_create(facts, update_conflicts=True, unique_fields=["record"],
                                             update_fields=_UPDATE_FIELDS)
            touched.update(f.month for f in facts)
            total += len(facts)
            jobs.advance(JOB, len(ids))
            if progress is not None:
                progress(len(ids))
        today = clock.today()
        summarise(None if full or state.summarised_on is None else touched, today, state.summarised_on)
        seconds = time.perf_counter() - started
        RefreshState.objects.filter(pk=1).update(last_finished=clock.now(), last_count=total, last_seconds=seconds,
                                                 calendar_signature=signature, summarised_on=today)
    except BaseException as e:
        jobs.finish(JOB, False, {"error": f"{type(e).__name__}: {e}"[:500]})
        raise
    result = RefreshResult(total, seconds, full, failed=tuple(failures))
    jobs.finish(JOB, not failures, {"computed": total, "seconds": round(seconds, 3), "full": full,
                                    "failed_count": len(failures),
                                    "failed": [f.as_dict() for f in failures[:jobs.KEPT_FINDINGS]]})
    return result


def summarise(months: set[dt.date] | None, today: dt.date, previous: dt.date | None = None) -> int:
    """Rebuild :class:`MonthlyFigure` for ``months`` (all months with None) as of ``today``.

    On a new day the months holding decisions that were still in time on ``previous`` and have no publication
    are rebuilt too: some of them are overdue now. Returns the number of months rebuilt.
    """
    if months is not None and previous is not None and previous != today:
        months = months | set(DecisionFact.objects.filter(
            due=True, published_on__isnull=True, last_on_time_day__gte=previous, last_on_time_day__lt=today,
        ).values_list("month", flat=True).distinct())
    if months is not None and not months:
        return 0
    facts = DecisionFact.objects.all() if months is None else DecisionFact.objects.filter(month__in=months)
    groups = grouped_counts(facts, today)
    figures = [MonthlyFigure(month=g["month"], issuing_org_id=g["issuing_org_id"], as_of=today, **{
        name: int(g[f"n_{name}"] or 0) for name in FIGURES}) for g in groups]
    with transaction.atomic():
        old = MonthlyFigure.objects.all() if months is None else MonthlyFigure.objects.filter(month__in=months)
        old.delete()
        MonthlyFigure.objects.bulk_create(figures, batch_size=2000)
    return len({f.month for f in figures}) if months is None else len(months)
