"""``govcredit verify-ledger`` (``manage.py verify_ledger``): verify the hash chain and every ledgered row.

Exit status 0 when the ledger is intact, 1 when anything was found. ``--json`` prints the report as
JSON on stdout; the progress bars (entries, then rows) go to stderr (``--no-progress`` to leave it out, e.g. in cron).
``--checkpoint FILE`` also compares the chain with the signed checkpoints in FILE (a copy kept off the
database host), checked with the configured key or with ``--public-key PEM``: a chain cut short or
rewritten since a checkpoint fails.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max
from tqdm import tqdm

from govcredit.ledger.checkpoints import load_public_key
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import (
    KIND_LABELS,
    Report,
    record_count,
    verify_chain,
    verify_checkpoints,
    verify_records,
)


class Command(BaseCommand):
    help = "校验留痕账本：逐条核对留痕记录的哈希链，并核对每条业务记录与其最后一条留痕是否一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出校验报告")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument("--checkpoint", type=Path, metavar="FILE",
                            help="与该检查点文件（保存在数据库主机之外的副本）比对：链比检查点短或不同即不通过")
        parser.add_argument("--public-key", type=Path, metavar="PEM",
                            help="用此 Ed25519 公钥核验检查点签名（默认用本机配置的密钥）")

    def handle(self, *args: Any, as_json: bool = False, no_progress: bool = False, checkpoint: Path | None = None,
               public_key: Path | None = None, **options: Any) -> None:
        try:
            lines = checkpoint.read_text(encoding="utf-8").splitlines() if checkpoint else None
            key = load_public_key(public_key.read_bytes()) if public_key else None
        except (OSError, ValueError) as e:
            raise CommandError(f"无法读取检查点文件或公钥：{e}") from e
        stream = getattr(self.stderr, "_out", sys.stderr)  # the raw stream: tqdm redraws with \r
        bar = partial(tqdm, unit="条", unit_scale=True, file=stream, disable=no_progress, dynamic_ncols=True)
        # What verify() does, in its two steps, each with its bar.
        report = Report()
        with bar(total=LedgerEntry.objects.aggregate(n=Max("seq"))["n"] or 0, desc="校验留痕链") as entries:
            chain = verify_chain(report, entries.update)
        with bar(total=record_count(), desc="核对业务记录") as records:
            verify_records(report, chain, records.update)
        if lines is not None:
            verify_checkpoints(report, chain, lines, key)
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
