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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.catalog import schema
from govcredit.catalog.models import RecordTypeVersion
from govcredit.core import clock, jobs
from govcredit.disclosure.models import Publication
from govcredit.disclosure.rules import refusal
from govcredit.subjects.models import Organization
from govcredit.workdays import services as workdays

from .models import DecisionFact, MonthlyFigure, RefreshState

DEFAULT_LIMIT = 7
CHUNK = 2000
JOB = "双公示统计刷新"
TASK = "govcredit.statistics.services.refresh"
CITY_LEVEL = "市本级"
INTERNAL_ROLES = {Role.CREDIT_OFFICE, Role.DISTRICT, Role.SUBMITTER}
CALENDAR_FIRST_YEAR = 2000
_ONE_DAY = dt.timedelta(days=1)

# Fields of CreditRecord a refresh never needs (the cipher above all: statistics never touch it).
_DEFERRED = ("counterparty_id_cipher", "subject_org", "subject_person", "batch_id", "created_at")


# --------------------------------------------------------------------------- one decision


def raw_values(record: CreditRecord, version: RecordTypeVersion) -> dict[str, Any]:
    """The record's values as stored, keyed by field key, ready for ``schema.validate``.

    Columns come from the record, the rest from ``data``; lists (多选) are joined with “、”. The ID-number
    column is left out: it is encrypted and never decrypted here (see :func:`check_completeness`).
    """
    raw: dict[str, Any] = {}
    for spec in version.fields:
        column = spec.get("column")
        if column == "counterparty_id":
            continue
        value = getattr(record, column, None) if column else record.data.get(spec["key"])
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        raw[spec["key"]] = value
    return raw


def check_completeness(record: CreditRecord, version: RecordTypeVersion) -> dict[str, str]:
    """Problems by field label; empty when the decision's data are complete and valid."""
    fields = [s for s in version.fields if s.get("column") != "counterparty_id"]
    problems = dict(schema.validate(fields, raw_values(record, version)).errors)
    for spec in version.fields:
        if spec.get("column") == "counterparty_id" and spec.get("required") and not record.counterparty_id_index:
            problems[spec["label"]] = "必填项为空"
    return problems


def limit_of(version: RecordTypeVersion) -> int:
    try:
        return int((version.publication or {}).get("publish_within_workdays") or DEFAULT_LIMIT)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT


class WorkdayCache:
    """Per-run memo of the calendar questions a refresh asks (there are far fewer dates than decisions)."""

    def __init__(self) -> None:
        self._between: dict[tuple[dt.date, dt.date], workdays.WorkdayCount] = {}
        self._last_day: dict[tuple[dt.date, int], tuple[dt.date, bool]] = {}

    def between(self, start: dt.date, end: dt.date) -> workdays.WorkdayCount:
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = workdays.workdays_between(start, end)
        return found

    def last_on_time_day(self, decision: dt.date, limit: int) -> tuple[dt.date, bool]:
        """The last calendar day D with ``workdays_between(decision, D) <= limit`` (and whether estimated)."""
        key = (decision, limit)
        found = self._last_day.get(key)
        if found is None:
            following = workdays.add_workdays(decision, limit + 1)
            found = self._last_day[key] = (following.date - _ONE_DAY, following.estimated)
        return found


def make_fact(record: CreditRecord, version: RecordTypeVersion, published_at: dt.datetime | None,
              cache: WorkdayCache, known_problems: dict[str, str] | None = None) -> DecisionFact:
    """The fact of one decision; ``known_problems`` (from a fact of the same record version) skips re-validation."""
    limit = limit_of(version)
    record.type_version = version
    problems = check_completeness(record, version) if known_problems is None else known_problems
    why = refusal(record)
    if why is None and record.status == RecordStatus.REVOKED and published_at is None:
        why = "决定在公示前已撤销"
    last_day, estimated = cache.last_on_time_day(record.decision_date, limit)
    published_on = clock.local_date(published_at) if published_at is not None else None
    count: int | None = None
    if published_on is not None:
        result = cache.between(record.decision_date, published_on)
        count, estimated = result.days, estimated or result.estimated
    return DecisionFact(
        record_id=record.pk, issuing_org_id=record.issuing_org_id, record_type_id=record.record_type_id,
        decision_date=record.decision_date, month=record.decision_date.replace(day=1), limit_workdays=limit,
        last_on_time_day=last_day, published_on=published_on, workdays=count, estimated=estimated,
        due=why is None, not_due_reason=(why or "")[:200], complete=not problems, problems=problems,
        record_updated_at=record.updated_at, computed_at=clock.now(),
    )


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
        name: int(g[f"n_{name}"] or 0) for name in _FIGURES}) for g in groups]
    with transaction.atomic():
        old = MonthlyFigure.objects.all() if months is None else MonthlyFigure.objects.filter(month__in=months)
        old.delete()
        MonthlyFigure.objects.bulk_create(figures, batch_size=2000)
    return len({f.month for f in figures}) if months is None else len(months)


def summary_is_current(today: dt.date) -> bool:
    state = RefreshState.objects.filter(pk=1).first()
    return state is not None and state.summarised_on == today


def refreshed_at() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).first()
    return state.last_finished if state else None


# --------------------------------------------------------------------------- figures


@dataclass
class Counts:
    total: int = 0
    complete: int = 0
    due: int = 0
    on_time: int = 0
    late_published: int = 0
    overdue_unpublished: int = 0
    pending: int = 0
    workdays_sum: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def published(self) -> int:
        return self.on_time + self.late_published

    @property
    def settled(self) -> int:
        return self.on_time + self.late_published + self.overdue_unpublished

    @property
    def late(self) -> int:
        return self.late_published + self.overdue_unpublished

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def publication_rate(self) -> float | None:
        return self.published / self.settled if self.settled else None

    @property
    def completeness_rate(self) -> float | None:
        return self.complete / self.total if self.total else None

    @property
    def avg_workdays(self) -> float | None:
        return self.workdays_sum / self.published if self.published else None

    @property
    def below_target(self) -> bool:
        """Missing the 100% target on timeliness or completeness."""
        return any(r is not None and r < 1 for r in (self.on_time_rate, self.completeness_rate))


@dataclass
class MonthRow:
    month: dt.date
    counts: Counts

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class OrgRow:
    org_id: int
    name: str
    district: str
    counts: Counts
    rank: int = 0


@dataclass
class AreaRow:
    name: str
    counts: Counts
    rank: int = 0


@dataclass
class Report:
    start: dt.date
    end: dt.date
    today: dt.date
    months: list[MonthRow]
    departments: list[OrgRow]
    districts: list[AreaRow]
    total: Counts
    warnings: list[str] = field(default_factory=list)
    refreshed_at: dt.datetime | None = None
    scope_label: str = "全市"
    org_months: dict[tuple[int, dt.date], Counts] = field(default_factory=dict)
    area_months: dict[tuple[str, dt.date], Counts] = field(default_factory=dict)

    def department_months(self) -> list[tuple[OrgRow, MonthRow]]:
        """Every department's figures per month (months without decisions left out), in ranking order."""
        return [(d, MonthRow(m.month, self.org_months[(d.org_id, m.month)])) for d in self.departments
                for m in self.months if (d.org_id, m.month) in self.org_months]

    def district_matrix(self) -> list[tuple[str, list[Counts]]]:
        """Each district's figures for each month of the period (empty Counts where it had none)."""
        return [(a.name, [self.area_months.get((a.name, m.month), Counts()) for m in self.months])
                for a in self.districts]

    @property
    def below_target(self) -> list[OrgRow]:
        return [d for d in self.departments if d.counts.below_target]

    def chart(self) -> dict[str, Any]:
        """Series for the ECharts trend chart (percentages, None where a month has no figure)."""
        return {
            "months": [m.label for m in self.months],
            "on_time": [pct(m.counts.on_time_rate) for m in self.months],
            "completeness": [pct(m.counts.completeness_rate) for m in self.months],
            "publication": [pct(m.counts.publication_rate) for m in self.months],
            "totals": [m.counts.total for m in self.months],
            "target": 100,
        }

    def ranking_chart(self, limit: int = 30) -> dict[str, Any]:
        rows = self.departments[:limit]
        return {
            "names": [r.name for r in rows],
            "on_time": [pct(r.counts.on_time_rate) for r in rows],
            "completeness": [pct(r.counts.completeness_rate) for r in rows],
            "target": 100,
        }


def pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    m0 = month.month - 1 + n
    return dt.date(month.year + m0 // 12, m0 % 12 + 1, 1)


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    months, m = [], month_start(start)
    while m <= end:
        months.append(m)
        m = add_months(m, 1)
    return months


def fact_scope(user: Any) -> Q | None:
    """Which decisions' figures the user may see: the credit office all, districts and submitters their subtree."""
    role = access.role_of(user)
    if role == Role.CREDIT_OFFICE:
        return Q()
    if role in (Role.DISTRICT, Role.SUBMITTER) and getattr(user, "organization_id", None):
        return Q(issuing_org__path__startswith=user.organization.path)
    return None


def grouped_counts(facts: QuerySet[DecisionFact], today: dt.date) -> list[dict[str, Any]]:
    """One aggregate query: counts per (month, issuing organisation)."""
    due = Q(due=True)
    return list(
        facts.values("month", "issuing_org_id").order_by().annotate(
            n_total=Count("pk"),
            n_complete=Count("pk", filter=Q(complete=True)),
            n_due=Count("pk", filter=due),
            n_on_time=Count("pk", filter=due & Q(workdays__lte=F("limit_workdays"))),
            n_late_published=Count("pk", filter=due & Q(workdays__gt=F("limit_workdays"))),
            n_overdue_unpublished=Count("pk", filter=due & Q(published_on__isnull=True, last_on_time_day__lt=today)),
            n_pending=Count("pk", filter=due & Q(published_on__isnull=True, last_on_time_day__gte=today)),
            n_workdays_sum=Sum("workdays", filter=due & Q(published_on__isnull=False)),
            n_estimated=Count("pk", filter=Q(estimated=True)),
        )
    )


_COUNTS = ("total", "complete", "due", "on_time", "late_published", "overdue_unpublished", "pending", "workdays_sum")
_FIGURES = (*_COUNTS, "estimated")


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(**{name: int(row[f"n_{name}"] or 0) for name in _COUNTS})


def summary_counts(scope: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The same groups as :func:`grouped_counts`, read from the monthly figures (a few rows per month)."""
    return [{"month": m, "issuing_org_id": org, **{f"n_{name}": v for name, v in zip(_FIGURES, values, strict=True)}}
            for m, org, *values in MonthlyFigure.objects.filter(scope, month__gte=start, month__lte=end)
            .values_list("month", "issuing_org_id", *_FIGURES)]


def org_labels(org_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Organisation id → (name, district name) with the district rule of this module."""
    orgs = list(Organization.objects.filter(pk__in=set(org_ids)).values("id", "name", "path"))
    chains = {o["id"]: [c for c in o["path"].split("/") if c] for o in orgs}
    codes = {c for chain in chains.values() for c in chain[:2]}
    ancestors = {a["credit_code"]: a for a in Organization.objects.filter(credit_code__in=codes)
                 .values("credit_code", "name", "region_code")}
    out: dict[int, tuple[str, str]] = {}
    for o in orgs:
        chain = chains[o["id"]]
        district = CITY_LEVEL
        if len(chain) >= 2 and chain[0] in ancestors and chain[1] in ancestors:
            root, area = ancestors[chain[0]], ancestors[chain[1]]
            if area["region_code"] != root["region_code"]:
                district = area["name"]
        out[o["id"]] = (o["name"], district)
    return out


def _rank_key(counts: Counts) -> tuple[float, float, int]:
    return (-(counts.on_time_rate if counts.on_time_rate is not None else -1),
            -(counts.completeness_rate if counts.completeness_rate is not None else -1), -counts.total)


def calendar_warnings(start: dt.date, end: dt.date) -> list[str]:
    """Years of the period (and the next year, where December deadlines spill over) without a holiday schedule."""
    last = end.year + 1 if end.month == 12 else end.year
    return [workdays.missing_year_warning(y) for y in range(start.year, last + 1) if workdays.is_missing_year(y)]


def build_report(scope: Q, start: dt.date, end: dt.date, *, today: dt.date | None = None,
                 scope_label: str = "全市", use_summary: bool = False) -> Report:
    """The figures for the months ``start``..``end`` (any days in them) of the decisions in ``scope``.

    With ``use_summary`` (the pages and the API) the monthly figures are read when they are as of today; the
    ``scope`` must then only filter on ``issuing_org``. Otherwise, or when they are not current, the facts are
    aggregated directly (any scope on the facts, any ``today``).
    """
    current = clock.today()
    today = today or current
    start, end = month_start(start), month_start(end)
    if use_summary and today == current and summary_is_current(today):
        groups = summary_counts(scope, start, end)
    else:
        groups = grouped_counts(DecisionFact.objects.filter(scope, month__gte=start, month__lte=end), today)
    months = {m: Counts() for m in month_range(start, end)}
    by_org: dict[int, Counts] = {}
    org_months: dict[tuple[int, dt.date], Counts] = {}
    total = Counts()
    for row in groups:
        counts = _counts(row)
        months.setdefault(row["month"], Counts()).add(counts)
        by_org.setdefault(row["issuing_org_id"], Counts()).add(counts)
        org_months[(row["issuing_org_id"], row["month"])] = counts
        total.add(counts)
    labels = org_labels(by_org)
    area_months: dict[tuple[str, dt.date], Counts] = {}
    for (org_id, month), counts in org_months.items():
        area_name = labels.get(org_id, ("", CITY_LEVEL))[1]
        area_months.setdefault((area_name, month), Counts()).add(counts)
    departments = [OrgRow(org_id, *labels.get(org_id, (str(org_id), CITY_LEVEL)), counts)
                   for org_id, counts in by_org.items()]
    departments.sort(key=lambda r: (_rank_key(r.counts), r.name))
    areas: dict[str, Counts] = {}
    for d in departments:
        areas.setdefault(d.district, Counts()).add(d.counts)
    districts = [AreaRow(name, counts) for name, counts in areas.items()]
    districts.sort(key=lambda r: (_rank_key(r.counts), r.name))
    for i, dep in enumerate(departments, start=1):
        dep.rank = i
    for i, area in enumerate(districts, start=1):
        area.rank = i
    warnings = calendar_warnings(start, end)
    estimated = sum(int(row["n_estimated"] or 0) for row in groups)
    if estimated:
        warnings.append(_("其中 %(n)s 条决定的公示期限涉及尚未录入节假日安排的年份，已按周一至周五估算") % {"n": estimated})
    return Report(start=start, end=end, today=today, months=[MonthRow(m, c) for m, c in sorted(months.items())],
                  departments=departments, districts=districts, total=total, warnings=warnings,
                  refreshed_at=refreshed_at(), scope_label=scope_label, org_months=org_months,
                  area_months=area_months)


def default_period(today: dt.date | None = None, months: int = 12) -> tuple[dt.date, dt.date]:
    end = month_start(today or clock.today())
    return add_months(end, -(months - 1)), end



