#!/usr/bin/env python
"""Benchmark of the 双公示 statistics at scale (run by hand, not by the test suite).

    .venv/bin/python benchmarks/statistics_refresh.py [--decisions 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/statistics_refresh.py

(Not ``statistics.py``: run as a script, a file of that name in this folder would stand in for the
standard library's ``statistics`` module that the other benchmarks import.)

It works on a throwaway database (``benchmarks.database.throwaway_database``): a temporary SQLite file
by default, or a fresh PostgreSQL database on the server named by ``DATABASE_URL`` (dropped afterwards). Decisions and
publications are bulk-inserted without ledger entries (this measures the statistics, not the ledger).

Measured: the first full refresh (re-validation + working days for every decision), beside its limit in
the same run — reading the same decisions and publications in the same chunks and writing the same facts
into the emptied fact table, nothing computed (reported, no goal yet); an incremental refresh
with nothing to do (the staleness scan), one after 1% of the decisions were published, and the aggregate
queries behind the pages (city-wide 12 months, one district's subtree).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.database import throwaway_database  # noqa: E402 - needs ROOT on the path when run as a script
from benchmarks.report import beside_limit  # noqa: E402
from govcredit.core import clock  # noqa: E402


def _timed(label: str, fn: Any) -> Any:
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s", flush=True)
    return result


def _populate(n: int, seed: int) -> None:
    from decimal import Decimal

    from django.db import transaction

    from govcredit.archive.models import CounterpartyKind, CreditRecord
    from govcredit.catalog.models import RecordType
    from govcredit.catalog.services import load_catalog
    from govcredit.disclosure.models import Publication
    from govcredit.ledger.models import ledger_writing
    from govcredit.subjects.identifiers import make_credit_code
    from govcredit.subjects.models import Organization
    from govcredit.subjects.services import register_organization

    rng = random.Random(seed)
    load_catalog()
    city = register_organization(name="南京市人民政府", credit_code=make_credit_code("11", "320100", "000000001"),
                                 org_type="机关", region_code="320100", parent=None, actor="bench")
    orgs: list[Organization] = []
    for i in range(40):
        orgs.append(register_organization(name=f"南京市第{i + 1}局", credit_code=make_credit_code("11", "320100", f"{i + 10:09d}"),
                                          org_type="机关", region_code="320100", parent=city, actor="bench"))
    for d in range(11):
        region = f"3201{d + 2:02d}"
        district = register_organization(name=f"第{d + 1}区人民政府", credit_code=make_credit_code("11", region, "000000001"),
                                         org_type="机关", region_code=region, parent=city, actor="bench")
        orgs.append(district)
        for s in range(5):
            orgs.append(register_organization(name=f"第{d + 1}区第{s + 1}局", credit_code=make_credit_code("11", region, f"{s + 10:09d}"),
                                              org_type="机关", region_code=region, parent=district, actor="bench"))
    xzcf = RecordType.objects.get(code="xzcf")
    version = xzcf.current()
    today = clock.today()
    first = today - dt.timedelta(days=3 * 365)
    span = (today - first).days
    chunk = 10_000
    codes = [make_credit_code("91", "320100", f"{i:09d}") for i in range(1, 5001)]
    done = 0
    while done < n:
        size = min(chunk, n - done)
        records = []
        for i in range(done, done + size):
            org = orgs[i % len(orgs)]
            decided = first + dt.timedelta(days=rng.randrange(span))
            data: dict[str, Any] = {"violation_type": "价格违法", "penalty_kinds": ["罚款"], "authority_code": org.credit_code}
            if rng.random() < 0.02:
                del data["violation_type"]
            records.append(CreditRecord(
                record_type=xzcf, type_version=version, issuing_org=org, counterparty_name=f"南京某某公司{i}",
                counterparty_kind=CounterpartyKind.LEGAL, counterparty_code=codes[i % len(codes)],
                decision_number=f"宁罚〔{decided.year}〕{i}号", decision_date=decided, authority_name=org.name,
                facts="未明码标价", legal_basis="《价格法》第四十二条", result="罚款", amount=Decimal("5"),
                severity="一般", data=data, publicity_start=decided, publicity_end=decided + dt.timedelta(days=365)))
        with transaction.atomic(), ledger_writing():
            created = CreditRecord.objects.bulk_create(records, batch_size=2000)
            pubs = []
            for r in created:
                if rng.random() < 0.95 and r.decision_date < today - dt.timedelta(days=2):
                    lag = rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9, 12, 20])
                    at = dt.datetime.combine(r.decision_date + dt.timedelta(days=lag), dt.time(10),
                                             tzinfo=dt.timezone(dt.timedelta(hours=8)))
                    pubs.append(Publication(record=r, published_at=at, visible_until=r.publicity_end or today,
                                            public_name=r.counterparty_name, credit_code=r.counterparty_code,
                                            decision_number=r.decision_number, authority_name=r.authority_name,
                                            type_name="行政处罚", decision_date=r.decision_date))
            Publication.objects.bulk_create(pubs, batch_size=2000)
        done += size
        print(f"  inserted {done:,} decisions", end="\r", flush=True)
    print()


def refresh_limit() -> tuple[int, float]:
    """(facts, seconds) to read the decisions and publications a full refresh reads, in its chunks, and write
    the facts it wrote (read back as stored) into the emptied fact table: the refresh with no computing."""
    from django.db import transaction

    from govcredit.disclosure.models import Publication
    from govcredit.statistics import services
    from govcredit.statistics.models import DecisionFact

    stored = list(DecisionFact.objects.order_by("pk"))
    DecisionFact.objects.all().delete()
    started = time.perf_counter()
    decisions = services.double_publicity_records().order_by("pk")
    last_pk, at = 0, 0
    while ids := list(decisions.filter(pk__gt=last_pk).values_list("pk", flat=True)[:services.CHUNK]):
        last_pk = ids[-1]
        with transaction.atomic():
            list(decisions.filter(pk__in=ids))
            dict(Publication.objects.filter(record_id__in=ids).values_list("record_id", "published_at"))
            DecisionFact.objects.bulk_create(stored[at:at + len(ids)])
            at += len(ids)
    return len(stored), time.perf_counter() - started


def run(n: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.db.models import Q

    from govcredit.archive.models import CreditRecord
    from govcredit.disclosure.models import Publication
    from govcredit.ledger.models import ledger_writing
    from govcredit.statistics import report as figures
    from govcredit.statistics import services
    from govcredit.statistics.models import DecisionFact
    from govcredit.subjects.models import Organization

    print(f"database: {connection.vendor}, decisions: {n:,}")
    _timed("populate", lambda: _populate(n, seed))
    full = _timed("refresh (first, full)", services.refresh)
    print(f"  computed {full.computed:,} facts: {full.computed / max(full.seconds, 1e-9):,.0f} decisions/s")
    facts, t_limit = refresh_limit()
    refresh_rate, limit_rate = full.computed / max(full.seconds, 1e-9), facts / max(t_limit, 1e-9)
    beside_limit("full refresh", f"{refresh_rate:,.0f} decisions/s ({full.seconds:.2f} s)",
                 "reading the same decisions and publications in the same chunks and writing the same facts, "
                 "nothing computed", f"{limit_rate:,.0f} decisions/s ({t_limit:.2f} s)", refresh_rate / limit_rate,
                 None, True)
    idle = _timed("refresh (nothing changed)", services.refresh)
    print(f"  computed {idle.computed}")
    # 1% newly published: publications of decisions that had none.
    rows = list(CreditRecord.objects.filter(publication__isnull=True).values_list("pk", "decision_date",
                                                                                   "decision_number")[: n // 100])
    now = clock.now()
    with transaction.atomic(), ledger_writing():
        Publication.objects.bulk_create([
            Publication(record_id=pk, published_at=now, visible_until=d + dt.timedelta(days=365), public_name="某公司",
                        decision_number=num, authority_name="局", type_name="行政处罚", decision_date=d)
            for pk, d, num in rows], batch_size=2000)
    inc = _timed(f"refresh (after {len(rows):,} new publications)", services.refresh)
    print(f"  computed {inc.computed:,}")
    start, end = figures.default_period()
    report = _timed("report city-wide, 12 months (aggregate query + rollups)",
                    lambda: figures.build_report(Q(), start, end))
    print(f"  {report.total.total:,} decisions, on-time {report.total.on_time_rate:.3f}, "
          f"complete {report.total.completeness_rate:.3f}, {len(report.departments)} departments")
    report36 = _timed("report city-wide, 36 months", lambda: figures.build_report(Q(), figures.add_months(end, -35), end))
    print(f"  {report36.total.total:,} decisions")
    district = Organization.objects.get(name="第1区人民政府")
    sub = _timed("report one district subtree, 12 months",
                 lambda: figures.build_report(Q(issuing_org__path__startswith=district.path), start, end))
    print(f"  {sub.total.total:,} decisions")
    summary = _timed("report city-wide, 36 months, from the monthly figures (what the pages do)",
                     lambda: figures.build_report(Q(), figures.add_months(end, -35), end, use_summary=True))
    assert summary.total == report36.total
    print(f"  {summary.total.total:,} decisions")
    print(f"facts: {DecisionFact.objects.count():,}")
    _open_data()


def _open_data() -> None:
    """Stream the open-data CSV of everything public now: time, size and the memory it took."""
    import resource
    import tracemalloc

    from govcredit.exchange import opendata

    qs = opendata.dataset()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    size = sum(len(piece) for piece in opendata.csv_pieces(qs))
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = qs.count()
    print(f"open-data CSV stream: {rows:,} rows, {size / 1e6:.1f} MB in {seconds:.1f} s; "
          f"peak Python allocations {peak / 1e6:.1f} MB "
          f"(max RSS {rss_before / 1024:.0f} → {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with throwaway_database("statistics"):
        run(args.decisions, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
