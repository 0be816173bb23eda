#!/usr/bin/env python
"""Benchmark of the indicators and warnings (issue 15), run by hand, not by the test suite.

    .venv/bin/python benchmarks/warnings.py [--scale 0.02]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/warnings.py --scale 1 \
        [--save-template govcredit_bench_warnings_full]   # later runs: --template govcredit_bench_warnings_full

Full size (``--scale 1``): 1,500 organisations (11 districts, the rest city departments) over 24 months, from a
database with 5,000,000 credit records and 1,000,000 obligations (rectification cases). ``--scale`` shrinks
the records and obligations (the organisations and months stay), for a quick run. Data are written with
COPY on PostgreSQL (executemany on SQLite) and without ledger entries: this measures the indicators, not
the loading. The 双公示 monthly figures the statistics job would build are inserted directly (one row per
organisation and month); the statistics refresh has its own benchmark.

Measured, in the same run:
1. the registered computations' aggregate queries alone (every computation for all organisations and the
   24 months, rows fetched, nothing written) — the limit;
2. compute + evaluate: the same computations, every value written as a version with its ledger entry, the
   assessments rebuilt and the warnings opened (each with its workflow case and ledger entries);
   the goal is ≤ 2× the limit;
   (PostgreSQL) the rows it stored written again with COPY alone (values, one ledger entry each, assessments),
   rolled back: the queries plus these writes are the least any code could take while it keeps one ledger
   entry per value;
3. the dashboard's first paint for the credit office from a second process (gunicorn, 1 worker): the HTML
   of ``/indicators/`` (what the browser paints first; the charts draw from the data in the page), p95 of
   ``--requests`` requests after a warm-up; goal p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics as stats
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.database import save_pg_template, throwaway_database  # noqa: E402 - needs ROOT on the path when run as a script
from benchmarks.report import beside_limit  # noqa: E402

ORGS = 1500
MONTHS = 24
RECORDS = 5_000_000
OBLIGATIONS = 1_000_000


def _timed(label: str, fn: Any) -> Any:
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.2f} s", flush=True)
    return result


def _insert(model: Any, columns: list[str], rows: Any, chunk: int = 50_000) -> int:
    """COPY (PostgreSQL) or executemany (SQLite) of raw column tuples."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    batch: list[tuple[Any, ...]] = []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            flush()
            n += len(batch)
            batch = []
            print(f"  {model.__name__}: {n:,}", end="\r", flush=True)
    if batch:
        flush()
        n += len(batch)
    print(f"  {model.__name__}: {n:,}")
    return n


def populate(scale: float, seed: int, today: dt.date) -> dict[str, Any]:
    import json

    from django.db import connection

    from govcredit.accounts.models import Role
    from govcredit.accounts.services import create_user
    from govcredit.archive.models import CreditRecord
    from govcredit.catalog.models import RecordType
    from govcredit.catalog.services import load_catalog
    from govcredit.core import clock
    from govcredit.indicators import registry, services
    from govcredit.indicators.models import Indicator
    from govcredit.ledger.models import ledger_writing
    from govcredit.sanctions.workflow import RECTIFICATION
    from govcredit.statistics.models import MonthlyFigure
    from govcredit.subjects.identifiers import make_credit_code
    from govcredit.subjects.models import CivilServant, Organization
    from govcredit.subjects.services import register_organization
    from govcredit.workflow.models import Case

    rng = random.Random(seed)
    load_catalog()
    services.load_defaults()
    city = register_organization(name="南京市人民政府", credit_code=make_credit_code("11", "320100", "000000001"),
                                 org_type="机关", region_code="320100", parent=None, actor="bench")
    now = clock.now()
    rows = []
    for i in range(ORGS):
        region = f"3201{i + 2:02d}" if i < 11 else "320100"
        code = make_credit_code("11", region, f"{i + 10:09d}")
        rows.append((f"{'第' + str(i + 1) + '区人民政府' if i < 11 else '南京市第' + str(i + 1) + '局'}", code, "机关",
                     region, city.pk, f"{city.path}{code}/", 1, True, now, now))
    with ledger_writing():
        _insert(Organization, ["name", "credit_code", "org_type", "region_code", "parent_id", "path", "depth",
                               "is_active", "created_at", "updated_at"], rows)
    org_ids = list(Organization.objects.filter(depth=1).order_by("pk").values_list("pk", flat=True))
    staff = []
    for k, oid in enumerate(org_ids):
        for s in range(rng.randint(0, 40) if k % 50 else 0):  # every 50th organisation has no staff: no value
            staff.append((f"员工{k}-{s}", "x", f"{k:06d}{s:06d}", "3201**********0000", "", None, oid, "科员", "",
                          "在职", now, now))
    with ledger_writing():
        _insert(CivilServant, ["name", "id_cipher", "id_index", "id_masked", "gender", "birth_date", "employer_id",
                               "post", "rank", "status", "created_at", "updated_at"], staff)
    xzcf = RecordType.objects.get(code="xzcf")
    wyhy = RecordType.objects.get(code="wyhy")
    versions = {t.pk: t.current().pk for t in (xzcf, wyhy)}
    first = registry.months_back(today, MONTHS)[0]
    span = (today - first).days
    n_records = int(RECORDS * scale)
    cols = ["record_type_id", "type_version_id", "subject_org_id", "subject_person_id", "issuing_org_id",
            "counterparty_name", "counterparty_kind", "counterparty_code", "counterparty_id_cipher",
            "counterparty_id_index", "counterparty_id_masked", "legal_representative", "legal_rep_id_cipher",
            "legal_rep_id_index", "legal_rep_id_masked", "decision_number", "decision_date", "authority_name", "facts",
            "legal_basis", "result", "amount", "severity", "data", "status", "publicity_start", "publicity_end",
            "batch_id", "created_at", "updated_at"]
    have = {f.column for f in CreditRecord._meta.concrete_fields} - {"id"}
    extra = sorted(have - set(cols))
    data = json.dumps({})

    def records() -> Any:
        for i in range(n_records):
            decided = first + dt.timedelta(days=rng.randrange(span))
            oid = org_ids[rng.randrange(len(org_ids))]
            dishonest = rng.random() < 0.1
            t = wyhy if dishonest else xzcf
            yield (t.pk, versions[t.pk], oid if dishonest else None, None, oid, "" if dishonest else f"某公司{i}",
                   "" if dishonest else "法人及非法人组织", "", "", "", "", "", "", "", "", f"罚〔{decided.year}〕{i}号",
                   decided, "机关", "", "", "", None, "一般", data, "有效", decided, decided + dt.timedelta(days=365),
                   None, now, now, *(["" for _ in extra]))

    with ledger_writing():
        _insert(CreditRecord, cols + extra, records())
    n_cases = int(OBLIGATIONS * scale)

    def cases() -> Any:
        for _ in range(n_cases):
            opened = first + dt.timedelta(days=rng.randrange(span))
            due = opened + dt.timedelta(days=14)
            r = rng.random()
            closed = None if r < 0.03 else dt.datetime.combine(
                opened + dt.timedelta(days=rng.randint(1, 20 if r < 0.2 else 12)), dt.time(2), tzinfo=dt.UTC)
            yield (RECTIFICATION.code, org_ids[rng.randrange(len(org_ids))], "市信用办", "基准测试", "整改中" if closed
                   is None else "已验收办结", opened, due, closed, now, now)

    with ledger_writing():
        _insert(Case, ["kind", "debtor_org_id", "owed_to", "basis_text", "status", "opened_on", "due_on", "closed_at",
                       "created_at", "updated_at"], cases())
    months = registry.months_back(today, MONTHS)
    figures = []
    for oid in org_ids:  # each department keeps its habits (a usual on-time and completeness rate), with noise
        usual_on_time = rng.choice([1, 1, 1, 0.99, 0.97, 0.92, 0.85, 0.7])
        usual_complete = rng.choice([1, 1, 1, 0.99, 0.97, 0.9])
        for m in months:
            total = rng.randint(20, 60)
            on_time = min(total, int(total * usual_on_time + rng.randint(0, 1)))
            complete = min(total, int(total * usual_complete + rng.randint(0, 1)))
            figures.append((m, oid, today, total, complete, total, on_time, total - on_time, 0, 0, 0, 0))
    _insert(MonthlyFigure, ["month", "issuing_org_id", "as_of", "total", "complete", "due", "on_time", "late_published",
                            "overdue_unpublished", "pending", "workdays_sum", "estimated"], figures)
    inds = {i.code: i for i in Indicator.objects.all()}
    debt = []
    for d, oid in enumerate(org_ids[:11]):
        for m in months:
            cap = 1000
            debt += [(inds["fiscal_capacity"], oid, m, Decimal(cap)),
                     (inds["debt_balance"], oid, m, Decimal(cap * (80 + 25 * d) // 100)),
                     (inds["overdue_debt"], oid, m, Decimal(rng.randint(0, 80)))]
    services.bulk_enter(debt, actor="bench")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    user = create_user("bench-credit", "Bench-pass-123!", role=Role.CREDIT_OFFICE,
                       organization=Organization.objects.get(pk=org_ids[0]))
    return {"months": months, "user": user, "records": n_records, "cases": n_cases, "orgs": len(org_ids)}


def loaded(today: dt.date) -> dict[str, Any]:
    """What :func:`populate` returns, for data copied from a template database."""
    from govcredit.accounts.models import User
    from govcredit.archive.models import CreditRecord
    from govcredit.indicators import registry
    from govcredit.subjects.models import Organization
    from govcredit.workflow.models import Case

    return {"months": registry.months_back(today, MONTHS), "user": User.objects.get(username="bench-credit"),
            "records": CreditRecord.objects.count(), "cases": Case.objects.count(),
            "orgs": Organization.objects.filter(depth=1).count()}


def queries_alone(months: list[dt.date]) -> tuple[float, int]:
    from govcredit.indicators import registry

    subjects = registry.load_subjects()
    started = time.perf_counter()
    rows = 0
    for comp in registry.computations():
        rows += len(list(comp.compute(months, subjects)))
    return time.perf_counter() - started, rows


def writes_alone() -> tuple[float, float, dict[str, int]]:
    """PostgreSQL: the rows compute + evaluate stored, written again with COPY and nothing else — the current
    values into their table, one ledger entry per value into the ledger, the assessments into theirs — in one
    transaction with the foreign keys checked as each row goes in, rolled back. The rows are read first
    (untimed) and the two indicator tables emptied first (untimed; they were empty when the run wrote them),
    the entries given sequence numbers past the ledger's; and, before, the state digest of each value (what its
    entry must carry), timed apart. What compute + evaluate cannot do in less on top of the queries, whatever its
    code, while it keeps one ledger entry per value."""
    from django.db import connection, transaction

    from govcredit.indicators.models import Assessment, IndicatorValue
    from govcredit.ledger.hashing import (
        ENTRY_COLUMNS,
        digest_state,
        entity_type_of,
        state_attnames,
        state_of_values,
    )
    from govcredit.ledger.models import LedgerEntry

    q = connection.ops.quote_name

    def table(model: Any) -> tuple[str, list[str]]:
        return q(model._meta.db_table), [q(f.column) for f in model._meta.concrete_fields]

    work: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    with connection.cursor() as cur:
        for model in (IndicatorValue, Assessment):
            name, cols = table(model)
            cur.execute(f"SELECT {', '.join(cols)} FROM {name} ORDER BY 1")
            work.append((name, cols, cur.fetchall()))
        offset = 10 ** 12
        cur.execute(f"SELECT {', '.join(q(c) for c in ENTRY_COLUMNS)} FROM {q(LedgerEntry._meta.db_table)} "
                    f"WHERE entity_type = %s ORDER BY seq", [entity_type_of(IndicatorValue)])
        entries = [(seq + offset, *rest) for seq, *rest in cur.fetchall()]
    work.insert(1, (q(LedgerEntry._meta.db_table), [q(c) for c in ENTRY_COLUMNS], entries))
    # the state digest each entry carries, made from each value as stored (the least Python work an entry needs)
    attnames = [f.attname for f in IndicatorValue._meta.concrete_fields]
    order = [attnames.index(a) for a in state_attnames(IndicatorValue)]
    started = time.perf_counter()
    for row in work[0][2]:
        digest_state(state_of_values(IndicatorValue, [row[i] for i in order]))
    digests = time.perf_counter() - started
    counts = {name.strip('"'): len(rows) for name, _cols, rows in work}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"TRUNCATE {table(IndicatorValue)[0]}, {table(Assessment)[0]} CASCADE")
        started = time.perf_counter()
        for name, cols, rows in work:
            with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        took = time.perf_counter() - started
        transaction.set_rollback(True)
    return took, digests, counts


def first_paint(user: Any, tmp: Path, requests: int) -> list[float]:
    import os
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from benchmarks.servers import start_gunicorn, stop

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    proc, base = start_gunicorn({"DATABASE_URL": os.environ["DATABASE_URL"], "GOVCREDIT_VAR_DIR": str(tmp)}, 1, tmp)
    try:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={session.session_key}")]
        times = []
        for i in range(requests + 3):
            started = time.perf_counter()
            with opener.open(base + "/indicators/", timeout=60) as r:  # noqa: S310 - loopback
                body = r.read()
                assert r.status == 200 and b"ind-data" in body, r.status
            if i >= 3:
                times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        stop(proc)


def main() -> None:
    global ORGS  # noqa: PLW0603 - the size of this run
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="share of the 5,000,000 records and 1,000,000 obligations")
    ap.add_argument("--orgs", type=int, default=1500, help="organisations (default 1,500; fewer for a quick run)")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--save-template", metavar="NAME", help="PostgreSQL: keep a copy of the loaded data as database NAME")
    ap.add_argument("--template", metavar="NAME", help="PostgreSQL: start from the data saved with --save-template "
                                                         "(same day, same --scale) instead of loading it")
    args = ap.parse_args()
    ORGS = args.orgs
    with throwaway_database("warnings", template=args.template) as tmp:
        from django.db import connection

        from govcredit.core import clock
        from govcredit.indicators import services
        from govcredit.indicators.models import Assessment, IndicatorValue, IndicatorWarning

        today = clock.today()
        if args.template:
            world = loaded(today)
        else:
            world = _timed("populate", lambda: populate(args.scale, args.seed, today))
            if args.save_template:
                save_pg_template(args.save_template)
        print(f"database: {connection.vendor}; organisations {world['orgs']:,}, months {MONTHS}, "
              f"records {world['records']:,}, obligations {world['cases']:,}")
        months = world["months"]
        queries_alone(months)  # warm the caches once, as the full run below will find them
        t_alone, rows = queries_alone(months)
        print(f"aggregate queries alone: {t_alone:.2f} s ({rows:,} rows)")
        started = time.perf_counter()
        computed = services.compute(months)
        t_compute = time.perf_counter() - started
        evaluated = services.evaluate(months)
        t_full = time.perf_counter() - started
        print(f"compute {t_compute:.2f} s ({computed.written:,} values written), evaluate {t_full - t_compute:.2f} s "
              f"({evaluated.assessed:,} assessed, {evaluated.opened:,} warnings opened, {evaluated.closed:,} closed)")
        print(f"  values {IndicatorValue.objects.count():,}, assessments {Assessment.objects.count():,}, "
              f"warnings {IndicatorWarning.objects.count():,}")
        beside_limit("compute + evaluate, all organisations × 24 months", f"{t_full:.2f} s",
                     "the registered computations' aggregate queries alone", f"{t_alone:.2f} s",
                     t_full / max(t_alone, 1e-9), "≤ 2×", t_full <= 2 * t_alone)
        if connection.vendor == "postgresql":
            t_writes, t_digests, counts = writes_alone()
            floor = t_alone + t_writes + t_digests
            print(f"the same rows written alone (COPY, foreign keys checked): {t_writes:.2f} s "
                  f"({', '.join(f'{n} {c:,}' for n, c in counts.items())}); the values' state digests {t_digests:.2f} s")
            print(f"  least compute + evaluate can take with one ledger entry per value (queries + writes + digests): "
                  f"{floor:.2f} s = {floor / max(t_alone, 1e-9):.2f}× the queries; "
                  f"compute + evaluate is {t_full / floor:.2f}× that")
        again = _timed("compute + evaluate again (nothing changed)", lambda: (services.compute(months),
                                                                             services.evaluate(months)))
        assert again[0].written == 0
        times = first_paint(world["user"], tmp, args.requests)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(f"dashboard first paint (HTML of /indicators/, second process): median {stats.median(times):.0f} ms, "
              f"p95 {p95:.0f} ms over {len(times)} requests — goal p95 ≤ 300 ms: {'met' if p95 <= 300 else 'not met'}")


if __name__ == "__main__":
    main()
