"""``govcredit verify-ledger`` (``manage.py verify_ledger``): verify the hash chain and every ledgered row.

Exit status 0 when the ledger is intact, 1 when anything was found. ``--json`` prints the report as
JSON on stdout; the progress bars (entries, then rows) go to stderr (``--no-progress`` to leave it out, e.g. in cron).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from tqdm import tqdm

from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import KIND_LABELS, Report, record_count, verify_chain, verify_records


class Command(BaseCommand):
    help = "校验留痕账本：逐条核对留痕记录的哈希链，并核对每条业务记录与其最后一条留痕是否一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出校验报告")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, as_json: bool = False, no_progress: bool = False, **options: Any) -> None:
        stream = getattr(self.stderr, "_out", sys.stderr)  # the raw stream: tqdm redraws with \r
        bar = partial(tqdm, unit="条", unit_scale=True, file=stream, disable=no_progress, dynamic_ncols=True)
        # What verify() does, in its two steps, each with its bar.
        report = Report()
        with bar(total=LedgerEntry.objects.aggregate(n=Max("seq"))["n"] or 0, desc="校验留痕链") as entries:
            chain = verify_chain(report, entries.update)
        with bar(total=record_count(), desc="核对业务记录") as records:
            verify_records(report, chain, records.update)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"已核对留痕记录 {report.entries:,} 条、业务记录 {report.records:,} 条。")
            if report.ok:
                self.stdout.write(self.style.SUCCESS("未发现问题：留痕链完整，所有业务记录与其最后一条留痕一致。"))
            else:
                counts = Counter(f.kind for f in report.findings)
                summary = "，".join(f"{KIND_LABELS.get(k, k)} {n} 处" for k, n in counts.items())
                self.stdout.write(self.style.ERROR(f"发现 {len(report.findings)} 个问题（{summary}）："))
                for f in report.findings:
                    self.stdout.write(f"  [{KIND_LABELS.get(f.kind, f.kind)}] {f.message}")
        if not report.ok:
            raise CommandError(f"留痕校验未通过：发现 {len(report.findings)} 个问题", returncode=1)
