#!/usr/bin/env python
"""Credit-report benchmark: one report page and one PDF for a subject with 50 records, and a batch of 500.

    .venv/bin/python benchmarks/reports.py [--records 50] [--candidates 500] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/reports.py

On a throwaway database (a temporary SQLite file, or a fresh PostgreSQL database when ``DATABASE_URL``
names a server). Each figure is printed beside the time of the same database reads alone, measured in
the same run (the records in force, the subject, the registered sections, the archive digest), and the
ratio; and the PDF process's peak memory (its own ``VmHWM`` after the PDFs) beside the same process's
peak before its first PDF (Django with every app and the URLconf: the floor no PDF can go below), and
the ratio. Goals (issue 13): PDF ≤ 300 ms median, peak ≤ 200 MB; a batch of 500 candidates ≤ 60 s on
this 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.database import throwaway_database  # noqa: E402 - needs ROOT on the path when run as a script
from benchmarks.report import beside_limit  # noqa: E402


def median_ms(job: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """This process's own peak RSS: ``VmHWM`` of ``/proc/self/status``. Not ``ru_maxrss``: on Linux a
    child started by ``subprocess`` inherits its parent's peak into ``ru_maxrss`` at ``exec`` (a bare
    ``python -c`` started by a process holding 300 MB reports 311 MB), so it measured this script's
    own peak (database, migrations, earlier reports) rather than the PDF process's."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: may include the parent's


def pdf_in_a_fresh_process(person_pk: int, query_pk: int, repeat: int) -> tuple[float, float, float]:
    """The PDF's median time, the peak memory of a process that does only that (as a web worker
    would: Django with every app and the whole URLconf, API included) and that process's peak before its
    first PDF, on the same database: this script again with ``--pdf-only``."""
    import json
    import subprocess

    out = subprocess.run([sys.executable, __file__, "--pdf-only", str(person_pk), str(query_pk), str(repeat)],
                         check=True, capture_output=True, text=True).stdout
    answer = json.loads(out.strip().splitlines()[-1])
    return float(answer["median_ms"]), float(answer["peak_mb"]), float(answer["base_mb"])


def pdf_only(person_pk: int, query_pk: int, repeat: int) -> None:
    import json

    import django

    django.setup()
    from django.urls import get_resolver

    patterns = get_resolver().url_patterns  # a web worker loads every view and the API at its first request
    assert patterns
    from govcredit.core import clock
    from govcredit.reports import pdf, services
    from govcredit.reports.models import ArchiveQuery
    from govcredit.subjects.models import CivilServant

    subject = CivilServant.objects.get(pk=person_pk)
    query = ArchiveQuery.objects.get(pk=query_pk)
    base_mb = peak_rss_mb()  # Django, every app, the URLconf and the report's modules: no font, no PDF yet
    content, _digest = services.build_content(subject, query, at=clock.now())
    content.update(number="GCR202612040001", issued_at="2026-12-04 10:00", issuer="bench", issuer_org="中共南京市委组织部")
    pdf.render(content, code="ABCDEFGH", verify_url="http://x/")  # the compiler's first run loads its fonts
    issued = iter(range(1, 1_000_000))

    def another_report() -> None:
        """A report of its own (number, code, link), as each one issued is: Typst keeps the results of a
        compilation and reuses them for the same input, so the same PDF again took 4-13 ms and stayed at the
        first report's memory, where different reports take about 130 ms and the process grows for its
        first twenty or so (the compiler's cache), then holds."""
        n = next(issued)
        pdf.render({**content, "number": f"GCR2026120{n:05d}"}, code=f"BENCH{n:03d}", verify_url=f"http://x/{n}")

    median = median_ms(another_report, max(repeat, 30))
    print(json.dumps({"median_ms": median, "peak_mb": peak_rss_mb(), "base_mb": base_mb}))


def run(records: int, candidates: int, repeat: int, profile: bool = False) -> int:
    from django.db import connection
    from django.template.loader import render_to_string

    from govcredit.accounts.models import Role
    from govcredit.accounts.services import create_user
    from govcredit.archive.services import record_decision
    from govcredit.catalog.models import RecordType
    from govcredit.catalog.services import load_catalog
    from govcredit.reports import review, services
    from govcredit.reports.models import ArchiveQuery, QueryAction
    from govcredit.reports.sections import holders_known, in_force, may_have_rows, registered_sections
    from govcredit.subjects.identifiers import make_credit_code, make_id_number
    from govcredit.subjects.models import CivilServant
    from govcredit.subjects.services import register_civil_servant, register_organization

    print("机器负载（1/5/15 分钟平均）：" + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"数据库：{connection.vendor}；主体记录 {records} 条，批量 {candidates} 人，取 {repeat} 次中位数")
    load_catalog()
    org = register_organization(name="南京市玄武区人民政府", credit_code=make_credit_code("11", "320102", "000000005"),
                                org_type="机关", region_code="320102", parent=None, actor="bench")
    zzb = register_organization(name="中共南京市委组织部", credit_code=make_credit_code("11", "320100", "000000004"),
                                org_type="机关", region_code="320100", parent=None, actor="bench")
    people = [register_civil_servant(name=f"候选人{i:03d}", id_number=make_id_number("320102", dt.date(1980, 1, 1)
                                                                                     + dt.timedelta(days=i), i % 900),
                                     employer=org, post="科员", rank="一级科员", actor="bench")
              for i in range(candidates)]
    subject = people[0]
    jlcf = RecordType.objects.get(code="jlcf").current()
    for i in range(records):
        record_decision(jlcf, {"处分决定文号": f"玄纪〔2025〕{i + 1}号", "处分机关": "玄武区纪委监委",
                               "处分决定日期": (dt.date(2025, 1, 1) + dt.timedelta(days=i)).isoformat(),
                               "处分种类": "警告", "违纪违法事实": "违规发放津贴补贴" * 3, "严重程度": "一般"},
                        issuing_org=org, subject_person=subject, actor="bench")
    user = create_user("bench-personnel", "Bench-Passw0rd!", role=Role.PERSONNEL, organization=zzb)
    query = services.log_query(user, subject, action=QueryAction.ARCHIVE, purpose="职务晋升", case_reference="bench")
    from govcredit.core import clock

    def same_reads(found: CivilServant) -> None:
        """The reads of one report's content, as ``services._snapshot`` makes them (records in force, then
        every registered section that may have rows), without laying anything out."""
        at = clock.now()
        where = services.subject_filter(found)
        list(in_force(where, at).values_list("pk", "status", "updated_at", "type_version__polarity",
                                             "decision_date"))
        for key, section in registered_sections():
            if may_have_rows(key, where):
                section.rows(where, at)

    def reads() -> None:
        same_reads(subject)

    reads_ms = median_ms(reads, repeat)
    content, _digest = services.build_content(subject, query, at=clock.now())
    content.update(number="GCR202612040001", issued_at="2026-12-04 10:00", issuer="bench", issuer_org="中共南京市委组织部")
    sample, _code = services.issue_report(user, subject, purpose="职务晋升", case_reference="bench",
                                          verify_url="http://x/")
    page_ms = median_ms(lambda: (services.build_content(subject, query, at=clock.now()),
                                 render_to_string("reports/report.html", {"c": content, "report": sample})), repeat)
    pdf_ms, peak_mb, base_mb = pdf_in_a_fresh_process(subject.pk, query.pk, repeat)
    issue_ms = median_ms(lambda: services.issue_report(user, subject, purpose="职务晋升", case_reference="bench",
                                                       verify_url="http://x/"), max(3, repeat // 4))
    ok = [
        beside_limit(f"报告页面（{records} 条记录，组装内容＋渲染）", f"{page_ms:.1f} ms", "同样的数据库读取",
                     f"{reads_ms:.1f} ms", page_ms / reads_ms, None, True),
        beside_limit("报告 PDF（排版并嵌入字体）", f"{pdf_ms:.1f} ms", "同样的数据库读取", f"{reads_ms:.1f} ms",
                     pdf_ms / reads_ms, "≤ 300 ms", pdf_ms <= 300),
        beside_limit("出具一份报告（记录查询、内容、PDF、摘要、留痕）", f"{issue_ms:.1f} ms", "同样的数据库读取",
                     f"{reads_ms:.1f} ms", issue_ms / reads_ms, None, True),
    ]
    ok.append(beside_limit("出具 PDF 的进程内存峰值（本进程 VmHWM，含 Django、全部页面与 API、字体）", f"{peak_mb:.0f} MB",
                           "同一进程出具首份 PDF 之前（Django、全部页面与 API）", f"{base_mb:.0f} MB",
                           peak_mb / base_mb, "≤ 200 MB", peak_mb <= 200))

    lines = ["姓名,身份证号"] + [f"{p.name},{p.full_id_number()}" for p in people]
    batch = review.submit(user, "\n".join(lines).encode(), "bench.csv", purpose="选拔任用", purpose_text="",
                          case_reference="bench", verify_url="http://x/")

    def batch_reads() -> None:
        """The batch's matching and reads, grouped as ``review.run`` groups them."""
        table = review.Table({key: i for i, key in enumerate(review.HEADERS)}, [])
        found = [m.subject for m in review.match_all(user, table, [item["cells"] for item in batch.rows])]
        for start in range(0, len(found), review.GROUP):
            group = found[start:start + review.GROUP]
            with holders_known(review._ids(group)):
                for candidate in group:
                    assert isinstance(candidate, CivilServant)
                    same_reads(candidate)

    start = time.perf_counter()
    batch_reads()
    batch_reads_s = time.perf_counter() - start
    start = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(review.run, batch.pk)
        batch_s = time.perf_counter() - start
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    else:
        review.run(batch.pk)
        batch_s = time.perf_counter() - start
    ok.append(beside_limit(f"任前审查 {candidates} 人（报告＋ZIP＋汇总表）", f"{batch_s:.1f} s", "同样的匹配与数据库读取",
                           f"{batch_reads_s:.1f} s", batch_s / batch_reads_s, "≤ 60 s", batch_s <= 60))
    print(f"查询记录 {ArchiveQuery.objects.count()} 条；机器负载（1/5/15 分钟平均）："
          + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + f"，CPU {os.cpu_count()} 核")
    return 0 if all(ok) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="profile the batch (cProfile, top 35 by cumulative time)")
    parser.add_argument("--pdf-only", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pdf_only:
        pdf_only(*args.pdf_only)
        return 0
    with throwaway_database("reports"):
        return run(args.records, args.candidates, args.repeat, args.profile)


if __name__ == "__main__":
    sys.exit(main())
