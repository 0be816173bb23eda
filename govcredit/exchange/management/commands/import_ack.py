"""``govcredit import-ack FILE``: record the national platform's acknowledgement of exported rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcredit.exchange import acks


class Command(BaseCommand):
    help = "导入全国信用信息共享平台的回执（CSV、XLSX 或 JSON），标记每条导出记录被接收或拒绝及原因"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="回执文件")
        parser.add_argument("--batch", default="", help="批次号，如 GC000001（回执中没有文件名和行号时使用）")
        parser.add_argument("--operator", default="system", help="导入人")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        try:
            result = acks.import_ack(path.name, path.read_bytes(), actor=options["operator"],
                                     batch=options["batch"] or None)
        except acks.AckError as e:
            raise CommandError(str(e)) from None
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(self.style.SUCCESS(result.summary()))
