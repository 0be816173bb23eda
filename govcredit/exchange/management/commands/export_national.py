"""``govcredit export-national``: the incremental 双公示 export to the national credit platform."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from govcredit.exchange import national


class Command(BaseCommand):
    help = "向全国信用信息共享平台导出行政许可、行政处罚（自上次成功导出以来新增或变化的记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator", default="", help="操作员用户名（记入导出批次；导出完整证件号码时必填）")
        parser.add_argument("--full-id-numbers", action="store_true",
                            help="导出自然人完整证件号码和姓名（仅限信用管理部门、组织人事部门的操作员；默认脱敏）")
        parser.add_argument("--all", action="store_true", dest="everything", help="忽略上次水位，全量导出")
        parser.add_argument("--until", default="", help="截止水位（ISO 时间，默认现在）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        operator = options["operator"] or "system"
        if options["operator"]:
            user = get_user_model().objects.filter(username=options["operator"], is_active=True).first()
            if user is None:
                raise CommandError(f"没有有效的用户“{options['operator']}”")
        until = None
        if options["until"]:
            try:
                until = dt.datetime.fromisoformat(options["until"])
            except ValueError:
                raise CommandError("--until 应为 ISO 时间，例如 2026-01-31T23:59:59") from None
            if timezone.is_naive(until):
                until = timezone.make_aware(until)
        planned = national.plan(everything=options["everything"], until=until)
        try:
            with tqdm(total=planned.total, unit="条", desc="国家平台导出", disable=options["verbosity"] == 0) as bar:
                export = national.run_export(operator=operator, user=user, full_id_numbers=options["full_id_numbers"],
                                             everything=options["everything"], until=planned.until,
                                             progress=bar.update)
        except national.ExportError as e:
            raise CommandError(str(e)) from None
        counts = export.counts
        self.stdout.write(self.style.SUCCESS(
            f"{export.batch_code}：行政处罚 {counts.get('xzcf', 0)} 条，行政许可 {counts.get('xzxk', 0)} 条，"
            f"撤回 {counts.get('withdrawn', 0)} 条；证件号码{export.get_id_numbers_display()}。"))
        self.stdout.write(f"文件目录：{export.directory}（MEDIA_ROOT 下）")
        for f in export.files.all():
            self.stdout.write(f"  {f.name}  {f.rows} 行  {f.size} 字节  SHA-256 {f.sha256}")
