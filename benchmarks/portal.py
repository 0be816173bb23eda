#!/usr/bin/env python
"""Public portal benchmark: search and detail pages beside the framework's floor, in CPU per request.

    .venv/bin/python benchmarks/portal.py [--rows 5000] [--duration 10] [--connections 16] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_portal_bench .venv/bin/python benchmarks/portal.py

1. A fresh PostgreSQL database (``DATABASE_URL``, default ``.../govcredit_portal_bench``; it is dropped
   and created, so its name must contain "bench"), migrated (``benchmarks/database.py``).
2. ``--rows`` publications loaded FAST, BYPASSING THE SERVICES: catalog and issuing organisations go
   through the services, but the credit records, publications, search keys and bigram postings are
   generated here (names and texts from the demo city's reference data, ``benchmarks/fakedata.py``) and
   written with COPY (secondary indexes and the bigram primary key dropped during the load and rebuilt
   after, foreign-key triggers off for the loading session). No ledger entries are written for these
   rows, so ``verify`` would report them.
3. gunicorn with the production entry point on 127.0.0.1 (``benchmarks/servers.py``; GOVCREDIT_DEBUG=0,
   the portal's rate limits off) and the settings of ``benchmarks/portal_settings.py``: the product's,
   with ``benchmarks/portal_urls.py`` adding ``/bench/floor/<id>/``, a minimal Django view reading one
   row — the framework's floor, served by the same gunicorn, middleware and database as the pages.
4. ``wrk`` at ``--connections`` for ``--duration`` seconds per scenario: the floor, search (1,000
   queries repeated; then distinct queries drawn from a long-tailed 1/r^s distribution), detail, the
   JSON API; then a second gunicorn with the answer cache off (``GOVCREDIT_PORTAL_CACHE_SECONDS=0``):
   the floor again, search, long-tailed search. For each, the CPU milliseconds per request of the
   gunicorn processes and of the database's PostgreSQL backends (``/proc/<pid>/stat`` before and after).
5. The same search statements and the detail statement in ``psql`` (EXPLAIN ANALYZE) and the search
   function in-process, for where the time goes.

Goals, in CPU (application + database) per request against the floor in the same gunicorn: detail page
≤ 1.5×; search with the answer cache off ≤ 3×. Every kind of page is requested in every worker before
anything is measured, and each compared page's floor is the mean of the floor runs just before and just
after it: on a shared machine a request's CPU cost drifts with the load, and the ratio should not. Long-tailed search is reported beside the floor too.
Requests per second and latencies are printed but depend on what else the (shared) machine runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Everything below needs ROOT on the path when this file is run as a script.
from benchmarks import fakedata  # noqa: E402
from benchmarks.database import database_name, drop_pg_database, fresh_pg_database, is_postgres, libpq  # noqa: E402
from benchmarks.report import beside_limit  # noqa: E402
from benchmarks.servers import CpuMeter, start_gunicorn, stop  # noqa: E402
from govcredit.core import clock  # noqa: E402
from govcredit.demo import reference  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_portal_bench"

LICENCE_BASIS, PENALTY_BASIS = "《中华人民共和国行政许可法》", "《中华人民共和国行政处罚法》第二十八条"
LICENCE_DATA = json.dumps({"license_kind": "普通", "current_status": "有效"}, ensure_ascii=False)
PENALTY_DATA = json.dumps({"violation_type": "信息公示", "penalty_kinds": ["罚款"]}, ensure_ascii=False)


# --------------------------------------------------------------------------- data


def _esc(value: Any) -> str:
    """A value in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Generator:
    """Deterministic rows: the i-th publication is the same in every run with the same seed."""

    def __init__(self, seed: int, today: dt.date) -> None:
        from govcredit.subjects.identifiers import credit_code_check_char, mask_name

        self.rng = random.Random(seed)
        self.today = today
        self.mask_name = mask_name
        self.check = credit_code_check_char
        self.names = fakedata.Names(self.rng)
        # A pool of valid codes: computing a check character per row would dominate the load time.
        self.codes = {prefix: [self._new_code(prefix, d.code) for d in reference.DISTRICTS for _ in range(2000)]
                      for prefix in ("91", "92")}
        self.authorities = fakedata.authorities()

    def name(self) -> tuple[str, str, str, str, str]:
        """(public name, name in the archive, kind, credit code, legal representative)."""
        r = self.rng
        roll = r.random()
        district = self.names.district()
        rep = self.names.person()
        if roll < 0.75:
            name = self.names.enterprise(district)
            return name, name, "法人及非法人组织", r.choice(self.codes["91"]), rep
        if roll < 0.87:
            shop = self.names.shop(district, rep)
            return shop, shop, "个体工商户", r.choice(self.codes["92"]), rep
        return self.mask_name(rep), rep, "自然人", "", ""

    def _new_code(self, prefix: str, region: str) -> str:
        body = prefix + region + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + self.check(body)


# --------------------------------------------------------------------------- loading


class Loader:
    """COPY generated rows into the archive, the publications and the search index."""

    def __init__(self, url: str, rows: int, seed: int) -> None:
        self.url, self.rows, self.seed = url, rows, seed

    def run(self) -> dict[str, Any]:
        import psycopg

        from govcredit.archive.models import CreditRecord
        from govcredit.catalog.models import RecordType
        from govcredit.catalog.services import load_catalog
        from govcredit.disclosure.models import (
            GramCount,
            Publication,
            PublicationGram,
            PublicationSearchKey,
            PublicAuthority,
        )
        from govcredit.disclosure.search import TOTAL, fold, gram_codes, name_key
        from govcredit.subjects.identifiers import make_credit_code
        from govcredit.subjects.services import register_organization

        load_catalog(actor="bench")
        city = register_organization(name="南京市人民政府", credit_code=make_credit_code("11", "320100", "000000001"),
                                     org_type="机关", region_code="320100", parent=None, actor="bench")
        xzcf, xzxk = (RecordType.objects.get(code=c) for c in ("xzcf", "xzxk"))
        versions = {"xzcf": xzcf.current(), "xzxk": xzxk.current()}
        today = clock.today()
        now = clock.now()
        gen = Generator(self.seed, today)

        tables = {m: m._meta.db_table for m in (CreditRecord, Publication, PublicationSearchKey, PublicationGram)}
        record_cols = [f.column for f in CreditRecord._meta.concrete_fields]
        pub_cols = [f.column for f in Publication._meta.concrete_fields]
        record_defaults = {f.column: _esc(f.get_default() if f.has_default() else ("" if f.empty_strings_allowed
                                                                                   and not f.null else None))
                           for f in CreditRecord._meta.concrete_fields}
        pub_defaults = {f.column: _esc(f.get_default() if f.has_default() else None)
                        for f in Publication._meta.concrete_fields}

        rec_ix = {c: n for n, c in enumerate(record_cols)}
        pub_ix = {c: n for n, c in enumerate(pub_cols)}
        rec_base = [record_defaults[c] for c in record_cols]
        pub_base = [pub_defaults[c] for c in pub_cols]
        city_id = str(city.pk)
        t0 = time.perf_counter()
        with psycopg.connect(libpq(self.url)) as conn:
            conn.execute("SET session_replication_role = replica")  # no FK triggers while loading (superuser)
            conn.execute("SET maintenance_work_mem = '1GB'")
            saved = self._drop_indexes(conn, list(tables.values()))
            conn.commit()
            stamp = now.isoformat()
            chunk = 50_000
            authorities: dict[str, str] = {}
            for start in range(0, self.rows, chunk):
                rec_lines: list[str] = []
                pub_lines: list[str] = []
                key_lines: list[str] = []
                gram_lines: list[str] = []
                for i in range(start + 1, min(self.rows, start + chunk) + 1):
                    public, archived, kind, ccode, rep = gen.name()
                    r = gen.rng
                    authority = r.choice(gen.authorities)
                    auth = authority.name
                    if auth not in authorities:
                        authorities[auth] = fold(auth)
                    licence = r.random() < 0.25
                    decided = today - dt.timedelta(days=r.randrange(0, 365))
                    until = decided + dt.timedelta(days=365 * (3 if licence else r.choice((1, 1, 1, 3))))
                    number = f"{authority.licence_prefix if licence else authority.penalty_prefix}〔{decided.year}〕{i}号"
                    version = versions["xzxk" if licence else "xzcf"]
                    status = "异议中" if r.random() < 0.02 else "有效"
                    decided_s, until_s = decided.isoformat(), until.isoformat()
                    vals = list(rec_base)
                    for col, value in (
                        ("id", str(i)), ("record_type_id", str(version.record_type_id)),
                        ("type_version_id", str(version.pk)), ("issuing_org_id", city_id),
                        ("counterparty_name", archived), ("counterparty_kind", kind), ("counterparty_code", ccode),
                        ("legal_representative", rep), ("decision_number", number), ("decision_date", decided_s),
                        ("authority_name", auth), ("facts", "" if licence else r.choice(fakedata.PENALTY_FACTS)),
                        ("legal_basis", LICENCE_BASIS if licence else PENALTY_BASIS),
                        ("result", r.choice(fakedata.LICENCE_RESULTS) if licence else "罚款人民币五千元"),
                        ("amount", "\\N" if licence else "0.5"), ("severity", "一般"),
                        ("data", LICENCE_DATA if licence else PENALTY_DATA), ("status", status),
                        ("publicity_start", decided_s), ("publicity_end", until_s), ("batch_id", "\\N"),
                        ("created_at", stamp), ("updated_at", stamp),
                    ):
                        vals[rec_ix[col]] = value
                    rec_lines.append("\t".join(vals))
                    pvals = list(pub_base)
                    for col, value in (
                        ("id", str(i)), ("record_id", str(i)), ("published_at", stamp), ("visible_until", until_s),
                        ("is_public", "t"), ("unpublished_at", "\\N"), ("unpublish_reason", ""), ("public_note", ""),
                        ("public_name", public), ("credit_code", ccode), ("decision_number", number),
                        ("authority_name", auth), ("type_name", "行政许可" if licence else "行政处罚"),
                        ("decision_date", decided_s),
                    ):
                        pvals[pub_ix[col]] = value
                    pub_lines.append("\t".join(pvals))
                    key = name_key(public)
                    key_lines.append(f"{i}\t{_esc(key)}\t{_esc(fold(number))}")
                    gram_lines.extend(f"{g}\t{i}" for g in gram_codes(key))
                with conn.cursor() as cur:
                    for table, cols, lines in (
                        (tables[CreditRecord], record_cols, rec_lines), (tables[Publication], pub_cols, pub_lines),
                        (tables[PublicationSearchKey], ["publication_id", "name_key", "number_key"], key_lines),
                        (tables[PublicationGram], ["gram", "publication_id"], gram_lines),
                    ):
                        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                            copy.write("\n".join(lines) + "\n")
                conn.commit()
                done = min(self.rows, start + chunk)
                if done % 500_000 == 0 or done == self.rows:
                    rate = done / (time.perf_counter() - t0)
                    print(f"  已写入 {done:,} 条公示（{rate:,.0f} 条/秒）", file=sys.stderr, flush=True)
            t_copy = time.perf_counter() - t0
            with conn.cursor() as cur:
                cur.execute(f"INSERT INTO {GramCount._meta.db_table} (gram, n) "
                            f"SELECT gram, count(*) FROM {tables[PublicationGram]} GROUP BY gram")
                cur.execute(f"INSERT INTO {GramCount._meta.db_table} (gram, n) VALUES (%s, %s)", (TOTAL, self.rows))
                with cur.copy(f"COPY {PublicAuthority._meta.db_table} (name, key) FROM STDIN") as copy:
                    for name, key in sorted(authorities.items()):
                        copy.write_row((name, key))
            conn.commit()
            t1 = time.perf_counter()
            self._restore_indexes(conn, saved)
            for table in (tables[CreditRecord], tables[Publication]):  # the application may add rows after us
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            conn.commit()
            t_index = time.perf_counter() - t1
        t2 = time.perf_counter()
        with psycopg.connect(libpq(self.url), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        t_vacuum = time.perf_counter() - t2
        return {"copy_s": t_copy, "index_s": t_index, "vacuum_s": t_vacuum, "authorities": len(authorities)}

    @staticmethod
    def _drop_indexes(conn: Any, tables: list[str]) -> list[str]:
        """Drop secondary indexes and the bigram primary key; return the statements that recreate them."""
        restore: list[str] = []
        with conn.cursor() as cur:
            for table in tables:
                cur.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                               WHERE i.tablename = %s AND NOT EXISTS (
                                 SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", (table,))
                for name, definition in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
                    restore.append(definition)
            cur.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = 'disclosure_publicationgram'::regclass AND contype = 'p'""")
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE disclosure_publicationgram DROP CONSTRAINT "{name}"')
                restore.insert(0, f'ALTER TABLE disclosure_publicationgram ADD CONSTRAINT "{name}" {definition}')
        return restore

    @staticmethod
    def _restore_indexes(conn: Any, statements: list[str]) -> None:
        for statement in statements:
            t0 = time.perf_counter()
            conn.execute(statement)
            conn.commit()
            print(f"  {time.perf_counter() - t0:6.1f} s  {statement[:110]}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring


def sample_queries(count: int, seed: int) -> list[str]:
    """2- and 3-character substrings of the public names of random publications."""
    from django.db import connection

    from govcredit.disclosure.models import Publication

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(id) FROM {Publication._meta.db_table}")
        top = int(cur.fetchone()[0])
    ids = [rng.randint(1, top) for _ in range(count)]
    names = dict(Publication.objects.filter(pk__in=ids).values_list("pk", "public_name"))
    queries = []
    for pid in ids:
        name = names.get(pid, "")
        size = rng.choice((2, 3))
        if len(name) >= size:
            start = rng.randrange(0, len(name) - size + 1)
            queries.append(name[start:start + size])
    return queries


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def in_process(queries: list[str]) -> dict[str, float]:
    """run_search (the portal's search: statements, ORM, masking) timed in this process, no HTTP."""
    from govcredit.disclosure.search import parse_criteria, run_search

    for q in queries[:50]:  # warm the caches
        run_search(parse_criteria({"q": q}))
    times = []
    for q in queries:
        t0 = time.perf_counter()
        run_search(parse_criteria({"q": q}))
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99), "n": len(times)}


def psql_timings(url: str, queries: list[str], detail_ids: list[int], tmp: Path) -> dict[str, Any]:
    """EXPLAIN ANALYZE, in psql, of the statements the portal runs for these searches and detail pages."""
    import psycopg

    from govcredit.disclosure.models import Publication
    from govcredit.disclosure.search import parse_criteria, search_sql

    today = clock.today()
    lines = ["\\set ON_ERROR_STOP 1"]
    groups: list[tuple[str, str]] = []  # (kind, label)
    plans: dict[str, str] = {}
    with psycopg.ClientCursor(psycopg.connect(libpq(url))) as cc:
        for q in queries:
            statement = search_sql(parse_criteria({"q": q}), today)
            if statement is None:
                continue
            sql = cc.mogrify(*statement)
            plans.setdefault(f"{len(q)}字“{q}”", sql)
            lines.append(f"EXPLAIN (ANALYZE, TIMING OFF) {sql};")
            groups.append(("search", q))
        for pk in detail_ids:
            qs = (Publication.objects.select_related("record", "record__type_version", "record__subject_person")
                  .filter(pk=pk, is_public=True, visible_until__gte=today)[:1])
            sql, params = qs.query.sql_with_params()
            lines.append(f"EXPLAIN (ANALYZE, TIMING OFF) {cc.mogrify(sql, params)};")
            groups.append(("detail", str(pk)))
        cc.connection.close()
    script = tmp / "portal_bench.sql"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(["psql", "-X", "-q", "-d", libpq(url), "-f", str(script)], capture_output=True, text=True,
                         check=True).stdout
    times = [float(x) for x in re.findall(r"Execution Time: ([\d.]+) ms", out)]
    result: dict[str, list[float]] = {"search": [], "detail": []}
    slowest = sorted(((t, label) for (kind, label), t in zip(groups, times, strict=True) if kind == "search"),
                     reverse=True)[:5]
    for (kind, _), t in zip(groups, times, strict=True):
        result[kind].append(t)
    examples = {}
    with psycopg.connect(libpq(url)) as conn:
        for label, sql in list(plans.items())[:2]:
            rows = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}").fetchall()
            examples[label] = "\n".join(r[0] for r in rows)
    return {k: {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99), "n": len(v)} for k, v in result.items()} | {
        "plans": examples, "slowest": slowest}


LUA = r"""
local paths = {%s}
local n = #paths
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
init = function(args)
  math.randomseed(tid * 7919 + os.time())
end
request = function()
  return wrk.format("GET", paths[math.random(n)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%%d duration_us=%%d status_errors=%%d socket_errors=%%d p50=%%d p95=%%d p99=%%d max=%%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def run_wrk(base: str, paths: list[str], duration: int, connections: int, tmp: Path, name: str,
            meter: CpuMeter | None = None) -> dict[str, float]:
    import resource

    script = tmp / f"{name}.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    if meter:
        meter.start()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          base], capture_output=True, text=True, check=True).stdout
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = meter.stop() if meter else {}
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise RuntimeError(f"wrk 输出无法解析：{out}")
    fields = dict(kv.split("=") for kv in match.group(1).split())
    requests, seconds = int(fields["requests"]), int(fields["duration_us"]) / 1e6
    wrk_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    per = max(requests, 1)
    result = {"rps": requests / seconds, "requests": requests, "errors": int(fields["status_errors"]) +
              int(fields["socket_errors"]), "p50": int(fields["p50"]) / 1000, "p95": int(fields["p95"]) / 1000,
              "p99": int(fields["p99"]) / 1000, "max": int(fields["max"]) / 1000}
    if cpu:
        ours = cpu["app"] + cpu["db"] + wrk_cpu
        result.update(app_ms=cpu["app"] * 1000 / per, db_ms=cpu["db"] * 1000 / per, wrk_ms=wrk_cpu * 1000 / per,
                      others=max(0.0, cpu["machine_busy"] - ours) / max(cpu["machine_total"], 1e-9))
    return result




def zipf_paths(pool: list[str], count: int, exponent: float, seed: int) -> list[str]:
    """``count`` draws from ``pool`` with the r-th query's weight 1/r^exponent: a few queries are asked
    often, most once or never — as on a public search box, unlike a fixed sample repeated evenly."""
    rng = random.Random(seed)
    weights = [1 / (rank ** exponent) for rank in range(1, len(pool) + 1)]
    return rng.choices(pool, weights, k=count)


def cpu_per_request(r: dict[str, float]) -> float:
    """CPU ms per request of the application and its database backends."""
    return r.get("app_ms", 0.0) + r.get("db_ms", 0.0)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="门户检索与详情基准（PostgreSQL + gunicorn + wrk，仅回环地址），"
                                     "每个页面与同一 gunicorn 中只读一行的最小 Django 视图（框架下限）并列")
    parser.add_argument("--rows", type=int, default=5000, help="公示条数（默认 5000；大规模如 5000000 请在独占机器上跑）")
    parser.add_argument("--duration", type=int, default=10, help="每个场景 wrk 运行的秒数")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn 工作进程数")
    parser.add_argument("--gunicorn-args", default="", help="附加的 gunicorn 参数，例如 \"--worker-class gthread --threads 4\"")
    parser.add_argument("--queries", type=int, default=1000, help="均匀重复场景的检索词样本数")
    parser.add_argument("--zipf-pool", type=int, default=20000, help="长尾场景的候选检索词数（去重后）")
    parser.add_argument("--zipf-exponent", type=float, default=1.0, help="长尾场景第 r 个检索词的权重 1/r^s 中的 s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="结束后保留基准库")
    parser.add_argument("--reuse", action="store_true", help="不重建，直接使用已装好的基准库（配合 --keep）")
    parser.add_argument("--force", action="store_true", help="允许库名不含 bench")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install -y wrk")

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not is_postgres(url):
        raise SystemExit(f"DATABASE_URL 应为 PostgreSQL：{url}")
    tmp = Path(tempfile.mkdtemp(prefix="govcredit-portal-bench-"))
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="govcredit.settings", GOVCREDIT_VAR_DIR=str(tmp),
                      GOVCREDIT_PORTAL_RATE="0", GOVCREDIT_PORTAL_DETAIL_RATE="0")
    # The gunicorn of every scenario: the product's settings with the floor view added (benchmarks/portal_urls.py).
    server_env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "benchmarks.portal_settings",
                  "GOVCREDIT_PORTAL_RATE": "0", "GOVCREDIT_PORTAL_DETAIL_RATE": "0", "GOVCREDIT_VAR_DIR": str(tmp)}
    name = database_name(url)
    print(f"机器：{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}；数据库 {name}；{args.rows:,} 条公示")
    if not args.reuse:
        fresh_pg_database(url, force=args.force)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        loaded: dict[str, Any] = {}
        if not args.reuse:
            call_command("migrate", verbosity=0)
            print("装载：目录与决定机关经业务服务写入；信用记录、公示、检索键、二元组由本脚本生成后以 COPY 直接写入"
                  "（绕过逐行业务服务与留痕，仅用于基准）")
            loaded = Loader(url, args.rows, args.seed).run()
            print(f"  COPY {loaded['copy_s']:.1f} s（{args.rows / loaded['copy_s']:,.0f} 条/秒），重建索引 "
                  f"{loaded['index_s']:.1f} s，VACUUM ANALYZE {loaded['vacuum_s']:.1f} s")
        with connection.cursor() as cur:
            cur.execute("SELECT max(id) FROM disclosure_publication")
            top = int(cur.fetchone()[0])

        queries = sample_queries(args.queries, args.seed)
        pool = list(dict.fromkeys(sample_queries(args.zipf_pool, args.seed + 2)))
        rng = random.Random(args.seed + 1)
        detail_ids = [rng.randint(1, top) for _ in range(1000)]
        zipf = zipf_paths(pool, 20_000, args.zipf_exponent, args.seed + 3)
        print(f"检索词：均匀场景 {len(queries)} 个反复使用，例如 {'、'.join(queries[:8])}；长尾场景从 {len(pool):,} 个"
              f"不同检索词按 1/r^{args.zipf_exponent:g} 抽取 20,000 次，其中不同的 {len(set(zipf)):,} 个")

        proc_time = in_process(queries)
        db = psql_timings(url, queries[:300], detail_ids[:300], tmp)
        connections.close_all()

        extra = args.gunicorn_args.split()
        floor_paths = [f"/bench/floor/{pk}/" for pk in detail_ids]
        search_paths = [f"/portal/search/?{urlencode({'q': q})}" for q in queries]
        zipf_search = [f"/portal/search/?{urlencode({'q': q})}" for q in zipf]
        detail_paths = [f"/portal/{pk}/" for pk in detail_ids]
        load_before = os.getloadavg()[0]
        http: dict[str, dict[str, float]] = {}
        api_search = [f"/api/portal/search?{urlencode({'q': q})}" for q in queries]
        api_detail = [f"/api/portal/records/{pk}" for pk in detail_ids]
        compared = {"详情页 /portal/<id>/", "检索页，答案缓存关闭", "检索页，长尾检索词", "检索页，长尾检索词，答案缓存关闭"}
        beside: dict[str, float] = {}  # page → the floor's CPU ms/request measured just before and just after it
        for cache in ("on", "off"):
            env = dict(server_env, **({"GOVCREDIT_PORTAL_CACHE_SECONDS": "0"} if cache == "off" else {}))
            proc, base = start_gunicorn(env, args.workers, tmp, extra)
            procs.append(proc)
            meter = CpuMeter(proc.pid, name)
            # Every kind of page once in every worker before measuring, so that no scenario pays for first uses.
            run_wrk(base, floor_paths + search_paths + detail_paths + api_search + api_detail, 3, args.connections,
                    tmp, f"warmup_{cache}")

            def measure(label: str, paths: list[str], key: str, base: str = base, meter: CpuMeter = meter) -> dict[str, float]:
                http[label] = run_wrk(base, paths, args.duration, args.connections, tmp, key, meter)
                return http[label]

            suffix = "" if cache == "on" else "，答案缓存关闭"
            before = measure(f"框架下限：读一行的最小视图{suffix}", floor_paths, f"floor_{cache}")
            scenarios = ([("检索页 /portal/search/（1000 词反复）", search_paths, "search"),
                          ("检索页，长尾检索词", zipf_search, "search_zipf"),
                          ("详情页 /portal/<id>/", detail_paths, "detail"),
                          ("检索接口 /api/portal/search", api_search, "api_search"),
                          ("详情接口 /api/portal/records/<id>", api_detail, "api_detail")] if cache == "on" else
                         [("检索页，答案缓存关闭", search_paths, "search_nocache"),
                          ("检索页，长尾检索词，答案缓存关闭", zipf_search, "search_zipf_nocache")])
            for label, paths, key in scenarios:
                measure(label, paths, key)
                if label in compared:  # the machine's load drifts: compare with the floor on either side of the page
                    after = measure(f"框架下限，{label}之后", floor_paths, f"floor_after_{key}")
                    beside[label] = (cpu_per_request(before) + cpu_per_request(after)) / 2
                    before = after
            stop(proc)
        load_after = os.getloadavg()[0]

        print()
        print(f"HTTP：gunicorn -w {args.workers} {args.gunicorn_args or '（sync）'}，wrk -t2 -c{args.connections} "
              f"-d{args.duration}s，同机回环；限流已关闭（GOVCREDIT_PORTAL_RATE=0）")
        print(f"{'场景':<30}{'请求/秒':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'错误':>7}"
              f"{'CPU ms/请求：应用':>18}{'数据库':>8}{'合计':>8}{'wrk':>7}{'其他进程占用':>12}")
        for label, r in http.items():
            print(f"{label:<28}{r['rps']:>12,.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>7}"
                  f"{r.get('app_ms', 0):>16.2f}{r.get('db_ms', 0):>10.2f}{cpu_per_request(r):>8.2f}"
                  f"{r.get('wrk_ms', 0):>7.2f}{r.get('others', 0):>13.0%}")
        print("（CPU ms/请求 读 /proc/<pid>/stat：gunicorn 主进程与工作进程、基准库的 PostgreSQL 后端进程、wrk；"
              "“其他进程占用”为同期整机 CPU 中不属于这三者的比例。数据库一列是下限：压测期间退出的后端进程的 CPU 无法计入。）")
        print()
        print("同一批检索在 psql 中（EXPLAIN ANALYZE 执行时间）与进程内 run_search：")
        print(f"{'':<30}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'样本':>7}")
        for label, r in (("psql 检索语句", db["search"]), ("psql 详情", db["detail"]),
                         ("进程内 run_search（无 HTTP）", proc_time)):
            print(f"{label:<26}{r['p50']:>11.2f}{r['p95']:>9.2f}{r['p99']:>9.2f}{r['n']:>7}")
        print("psql 中最慢的检索：" + "、".join(f"“{q}” {t:.1f} ms" for t, q in db["slowest"]))
        print(f"负载（1 分钟平均）：压测前 {load_before:.1f}，压测后 {load_after:.1f}（{os.cpu_count()} 核，wrk、gunicorn、"
              f"PostgreSQL 同机）")
        for label, plan in db["plans"].items():
            print(f"\n执行计划示例（{label}）：\n{plan}")

        print("\n每请求 CPU（应用＋数据库）与同一 gunicorn 中框架下限（该页前后两次的平均）之比：")
        goals = []
        for label, goal in (("详情页 /portal/<id>/", 1.5), ("检索页，答案缓存关闭", 3.0), ("检索页，长尾检索词", None),
                            ("检索页，长尾检索词，答案缓存关闭", None)):
            page, floor = cpu_per_request(http[label]), beside[label]
            ratio = page / floor if floor else float("inf")
            met = beside_limit(label, f"{page:.2f} ms CPU/请求（{http[label]['rps']:,.0f} 请求/秒）",
                               "读一行的最小 Django 视图", f"{floor:.2f} ms CPU/请求", ratio,
                               f"≤ {goal:g}×" if goal else None, goal is None or ratio <= goal)
            if goal:
                goals.append((f"{label} ≤ {goal:g}× 下限", met))
        missed = [g for g, ok in goals if not ok]
        print("\n目标均已达到。" if not missed else f"\n未达到目标：{'；'.join(missed)}")
        errors = sum(r["errors"] for r in http.values())
        if errors:
            print(f"错误：HTTP 错误 {errors} 次", file=sys.stderr)
        return 1 if errors else 0
    finally:
        for p in procs:
            stop(p)
        from django.db import connections as conns

        conns.close_all()
        if not args.keep:
            drop_pg_database(url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
