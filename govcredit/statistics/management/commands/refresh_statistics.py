"""``govcredit refresh-statistics [--full]``: recompute the 双公示 facts of changed decisions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from govcredit.statistics import services


class Command(BaseCommand):
    help = "重新计算双公示及时率、完整率统计（默认只计算新增或变化的决定）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="全部重新计算")

    def handle(self, *args: Any, **options: Any) -> None:
        total = (services.double_publicity_records() if options["full"] else services.stale_records()).count()
        with tqdm(total=total, unit="条", desc="双公示统计", disable=options["verbosity"] == 0) as bar:
            result = services.refresh(full=options["full"], progress=bar.update)
        if result.skipped:
            self.stdout.write(self.style.WARNING("另一个统计刷新正在进行，本次跳过。"))
            return
        self.stdout.write(self.style.SUCCESS(
            f"已重新计算 {result.computed} 条决定（{'全部' if result.full else '增量'}），用时 {result.seconds:.1f} 秒。"))
