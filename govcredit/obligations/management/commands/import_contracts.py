"""`govcredit import-contracts FILE --user NAME [--dry-run]`: procurement contracts (sheet 合同) and payments
(sheet 付款) from an XLSX workbook, with an error per rejected row."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from govcredit.obligations.importer import import_contracts


class Command(BaseCommand):
    help = "从 XLSX 导入采购合同（工作表“合同”）和付款（工作表“付款”），逐行报告错误"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="以该用户的身份和管辖范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {options['user']} 不存在或已停用")
        report = import_contracts(Path(options["file"]), user=user, dry_run=options["dry_run"])
        for sheet, row, column, message in report.errors:
            self.stdout.write(f"{sheet} 第 {row} 行 {column}：{message}")
        verb = "可导入" if options["dry_run"] else "已导入"
        self.stdout.write(f"{verb}合同 {report.contracts} 份、付款 {report.payments} 笔；错误 {len(report.errors)} 行。")
        if not report.ok:
            raise CommandError("部分行有错误，见上")
