#!/usr/bin/env python
"""Ledger benchmark: the cost of writing through the ledger, and the speed of verifying it.

    .venv/bin/python benchmarks/ledger.py [--entries 20000] [--chunk 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/ledger.py

It works on a throwaway database: a temporary SQLite file by default, or, when ``DATABASE_URL``
names a PostgreSQL server, a fresh database ``govcredit_bench_ledger_<pid>`` on that server which is
dropped afterwards. The schema comes from ``migrate``.

1. Append: ``--entries`` credit records (行政处罚 decisions) are written in chunks of ``--chunk``
   through ``create_with_entries`` (one ledger entry per row), and — interleaved, chunk by chunk,
   in the same run — the same rows are written WITHOUT the ledger (``bulk_create`` inside
   ``ledger_writing()``, one transaction per chunk, no entries). Overhead = ledger / plain − 1.
   Goal ≤ 30 %.
2. Verify: ``verify_chain`` over all entries, in entries/s, beside its limit: reading the same
   entries from the database (their columns in seq order, in chunks, through one cursor), building each
   payload with ``entry_payload`` and hashing it with the ledger's keyed BLAKE2b — with no checks at
   all; or reading them through the verifier's own chunk reader, whose payloads the database builds;
   whichever is faster, on one thread. Goal ≥ 0.7 of that limit. (The verifier fetches on
   ``ledger.verification.FETCHERS`` threads while it hashes, so on several cores it can exceed 1.) The hash rate over payloads already in memory is printed for reference.

Timings are the best of ``--repeat`` runs for the verification figures; append figures are
totals over all chunks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.database import throwaway_database  # noqa: E402 - needs ROOT on the path when run as a script
from benchmarks.report import beside_limit  # noqa: E402


def fmt_rate(per_s: float) -> str:
    return f"{per_s:,.0f}/s"


def run(entries: int, chunk: int, repeat: int) -> int:
    import datetime as dt
    import hashlib
    from decimal import Decimal

    from django.db import connection, transaction

    from govcredit.archive.models import CounterpartyKind, CreditRecord, RecordStatus
    from govcredit.catalog.models import RecordType
    from govcredit.catalog.services import load_catalog
    from govcredit.ledger import services as ledger
    from govcredit.ledger import verification
    from govcredit.ledger.hashing import entry_payload, ledger_key
    from govcredit.ledger.models import LedgerEntry, ledger_writing
    from govcredit.subjects.identifiers import make_credit_code
    from govcredit.subjects.services import register_organization

    vendor = connection.vendor
    print(f"数据库：{vendor}（{connection.settings_dict['NAME']}），{entries:,} 条，每批 {chunk:,} 条")

    load_catalog()
    org = register_organization(name="南京市市场监督管理局", credit_code=make_credit_code("11", "320100", "MB1234567"),
                                org_type="机关", region_code="320100", parent=None, actor="bench")
    version = RecordType.objects.get(code="xzcf").current()
    today = dt.date(2026, 3, 2)

    def make(start: int, count: int, batch_id: int | None) -> list[CreditRecord]:
        out = []
        for i in range(start, start + count):
            out.append(CreditRecord(
                record_type_id=version.record_type_id, type_version=version, issuing_org=org,
                counterparty_name=f"南京某某贸易有限公司{i}", counterparty_kind=CounterpartyKind.LEGAL,
                counterparty_code=make_credit_code("91", "320100", f"{i % 10**9:09d}"),
                legal_representative="张三", decision_number=f"宁市监罚〔2026〕{i}号", decision_date=today,
                authority_name=org.name, facts="未按规定公示年度报告，经责令限期改正仍未改正。",
                legal_basis="《中华人民共和国行政处罚法》第二十八条", result="罚款人民币五千元",
                amount=Decimal("0.5"), severity="一般",
                data={"violation_type": "信息公示", "penalty_kinds": ["罚款"], "authority_code": org.credit_code},
                status=RecordStatus.VALID, publicity_start=today, publicity_end=dt.date(2027, 3, 2), batch_id=batch_id,
            ))
        return out

    # 1. append, interleaved with the same writes without the ledger -----------------------------
    t_ledger = t_plain = 0.0
    ratios = []
    done = 0
    for c, start in enumerate(range(0, entries, chunk)):
        count = min(chunk, entries - start)
        with_ledger, plain = make(start, count, None), make(start, count, -1)

        def ledgered(objs: list[CreditRecord] = with_ledger) -> float:
            t0 = time.perf_counter()
            ledger.create_with_entries(CreditRecord, objs, actor="bench", action="record.create", reason="基准测试")
            return time.perf_counter() - t0

        def unledgered(objs: list[CreditRecord] = plain) -> float:
            t0 = time.perf_counter()
            with transaction.atomic(), ledger_writing():
                CreditRecord.objects.bulk_create(objs, batch_size=2000)
            return time.perf_counter() - t0

        if c % 2:  # alternate the order so that neither side always writes into a warmer table
            tp = unledgered()
            tl = ledgered()
        else:
            tl = ledgered()
            tp = unledgered()
        t_ledger, t_plain = t_ledger + tl, t_plain + tp
        ratios.append(tl / tp)
        done += count
        if c % 20 == 19:
            print(f"  已写入 {done:,} 条", file=sys.stderr)
    with connection.cursor() as cur, ledger_writing():
        cur.execute("DELETE FROM archive_creditrecord WHERE batch_id = -1")
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    overhead = t_ledger / t_plain - 1
    median_overhead = statistics.median(ratios) - 1  # less sensitive to other load on the machine

    # 2. verification against the raw hash rate --------------------------------------------------
    key = ledger_key()
    columns = ("seq", "ts", "actor", "action", "entity_type", "entity_id", "reason", "state_digest", "prev_hash",
               "actor_user_id", "changes")
    rows = LedgerEntry.objects.order_by("seq").values_list(*columns)
    payloads = [entry_payload(*r) for r in rows.iterator(chunk_size=20000)]
    n_entries = len(payloads)
    b2 = hashlib.blake2b

    def hash_with_key() -> None:
        for p in payloads:
            b2(p, key=key, digest_size=32).digest()

    def hash_from_copy() -> None:
        keyed = b2(key=key, digest_size=32)
        for p in payloads:
            h = keyed.copy()
            h.update(p)
            h.digest()

    def best(fn: Any) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    t_with_key, t_from_copy = best(hash_with_key), best(hash_from_copy)
    t_hash = min(t_with_key, t_from_copy)
    payloads.clear()

    read_sql = (f"SELECT {', '.join(columns)} FROM {LedgerEntry._meta.db_table} WHERE seq > %s AND seq <= %s "
                "ORDER BY seq")
    top = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def read_and_hash() -> None:
        """The limit: the same entries read from the database and hashed, nothing checked."""
        keyed = b2(key=key, digest_size=32)
        with connection.cursor() as cur:
            for lo in range(0, top, 20_000):
                cur.execute(read_sql, [lo, lo + 20_000])
                for row in cur.fetchall():
                    h = keyed.copy()
                    h.update(entry_payload(*row))
                    h.digest()

    def read_chunks_and_hash() -> None:
        """The same, reading through the verifier's own chunk reader (payloads built by the database)."""
        keyed = b2(key=key, digest_size=32)
        for lo in range(0, top, verification.CHUNK):
            for p in verification._fetch_chunk(lo, lo + verification.CHUNK).payloads:
                h = keyed.copy()
                h.update(p)
                h.digest()

    t_limit = min(best(read_and_hash), best(read_chunks_and_hash))

    reports: list[verification.Report] = []

    def chain() -> None:
        report = verification.Report()
        verification.verify_chain(report)
        reports.append(report)

    t_chain = best(chain)
    chain_report = reports[-1]
    t0 = time.perf_counter()
    full = verification.verify()
    t_full = time.perf_counter() - t0

    hash_rate = n_entries / t_hash
    verify_rate = chain_report.entries / t_chain
    limit_rate = n_entries / t_limit
    ratio = verify_rate / limit_rate

    print()
    met_overhead = overhead <= 0.30
    print(f"写入留痕的额外开销：{overhead:+.1%}（{t_ledger:.2f} s），目标 ≤ 30%：{'达到' if met_overhead else '未达到'}")
    print(f"  同次运行不留痕写入 {t_plain:.2f} s（{fmt_rate(entries / t_plain)}）；逐批中位数 {median_overhead:+.1%}")
    met_verify = beside_limit(
        "校验链（verify_chain）", f"{fmt_rate(verify_rate)}（{t_chain:.2f} s）",
        "从数据库读出同样的留痕并计算带密钥 BLAKE2b，不做任何检查", f"{fmt_rate(limit_rate)}（{t_limit:.2f} s）",
        ratio, "≥ 0.7", ratio >= 0.7)
    print(f"  参考：内存中载荷的纯哈希 {fmt_rate(hash_rate)}（每条新建带密钥对象：{fmt_rate(n_entries / t_with_key)}）；"
          f"校验为其 {verify_rate / hash_rate:.0%}")
    print(f"完整校验（链＋记录）：{t_full:.2f} s，{full.entries:,} 条留痕，{full.records:,} 条记录")
    print()
    problems = []
    if chain_report.findings or full.findings:
        problems.append(f"校验发现问题：{[f.message for f in (chain_report.findings + full.findings)[:5]]}")
    if chain_report.entries != n_entries:
        problems.append(f"校验了 {chain_report.entries} 条，应为 {n_entries} 条")
    for p in problems:
        print("错误：" + p, file=sys.stderr)
    missed = [name for name, ok in (("开销", met_overhead), ("校验与极限之比", met_verify)) if not ok]
    print("目标均已达到。" if not missed else f"未达到目标：{'、'.join(missed)}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each verification timing (best is kept)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its place is printed)")
    args = parser.parse_args(argv)

    with throwaway_database("ledger", keep=args.keep):
        return run(args.entries, args.chunk, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
