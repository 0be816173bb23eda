"""``govcredit demo-data [--seed N] [--scale S]``: fill an empty installation with a demo Nanjing.

Creates the city government, its departments, the 11 districts and 江北新区, 101 streets and towns,
about 1,200 village and residents' committees, 20,000 civil servants with post histories, records
of every catalog type and one demo account per role (all per ``--scale``). If the data already
exists it only adds missing accounts and exits with status 0, so start scripts may call it every time.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcredit.demo import planning, services


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _scale(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise CommandError(f"--scale 应为数字，实为“{raw}”") from None
    if not 0 < value <= 100:
        raise CommandError("--scale 应大于 0 且不超过 100（1 = 2 万名公务员）")
    return value


class Command(BaseCommand):
    help = "生成演示数据（南京市各部门、区、街道、村居委会、公务员、各类信用记录和演示账号）；已有数据时跳过"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=planning.DEFAULT_SEED,
                            help=f"随机种子，同一种子生成相同的数据（默认 {planning.DEFAULT_SEED}）")
        parser.add_argument("--scale", type=_scale, default=1.0,
                            help="规模：1 = 约 2 万名公务员、1,200 个村（居）委会、7,800 条信用记录；可为小数，如 0.05")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **options: Any) -> None:
        seed, scale = options["seed"], options["scale"]
        show_progress = not options["no_progress"] and options.get("verbosity", 1) > 0
        if services.demo_data_exists():
            self.stdout.write("演示数据已存在，跳过")
        else:
            self.stdout.write(f"正在生成演示数据（种子 {seed}，规模 {scale:g}）…")
        result = services.generate_demo_data(seed, scale, progress=show_progress,
                                             out=self.stdout if show_progress else None)
        if result.created:
            counts = "，".join(f"{k} {v:,}" for k, v in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已生成：{counts}"))
            self.stdout.write(f"用时 {result.timings['合计']:.1f} 秒；方案摘要 {result.digest[:16]}")
        self._accounts(result.accounts)

    def _accounts(self, accounts: list[services.DemoAccount]) -> None:
        rows = [("用户名", "角色", "所属单位", "密码", "")]
        rows += [(a.username, a.role, a.organization, a.password, "新建" if a.created else "已存在") for a in accounts]
        widths = [max(_width(r[i]) for r in rows) + 2 for i in range(4)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("演示账号"))
        for row in rows:
            self.stdout.write("".join(_pad(cell, w) for cell, w in zip(row[:4], widths, strict=True)) + row[4])
