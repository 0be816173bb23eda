"""``govcredit import-holidays FILE --year 2027``: enter a year's holiday schedule from a text file.

Lines ``2027-01-01,holiday,元旦`` / ``2027-02-07,workday,春节`` (see
:func:`govcredit.workdays.schedule.parse_schedule_text`). UTF-8 (with or without BOM) is tried
first, then GB18030, because CSV files saved by Excel on Chinese Windows are GBK.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcredit.workdays import services


class Command(BaseCommand):
    help = "从文本/CSV 文件导入某一年的节假日安排（每行：日期,holiday|workday,名称）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="文本或 CSV 文件，每行如 2027-01-01,holiday,元旦")
        parser.add_argument("--year", type=int, required=True, help="年份，文件中的日期必须都在该年内")
        parser.add_argument("--source", default="", help="来源，例如国务院办公厅通知的文号（默认为文件名）")
        parser.add_argument("--note", default="", help="备注")
        parser.add_argument("--replace", action="store_true", help="覆盖该年已录入的安排")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不保存")
        parser.add_argument("--user", default="", help="记为录入人的用户名")
        parser.add_argument("--encoding", default="", help="文件编码（默认自动识别 UTF-8 / GB18030）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
        text = self._decode(raw, options["encoding"])

        user = None
        if options["user"]:
            User = get_user_model()
            try:
                user = User._default_manager.get_by_natural_key(options["user"])
            except User.DoesNotExist as exc:
                raise CommandError(f"用户“{options['user']}”不存在") from exc

        try:
            result = services.import_schedule_text(
                text,
                year=options["year"],
                source=options["source"] or path.name,
                note=options["note"],
                user=user,
                replace=options["replace"],
                dry_run=options["dry_run"],
            )
        except services.ScheduleImportError as exc:
            raise CommandError(
                "导入失败，未保存任何数据：\n" + "\n".join(f"  {m}" for m in exc.messages)
            ) from exc
        self.stdout.write(result.summary())

    @staticmethod
    def _decode(raw: bytes, encoding: str) -> str:
        for candidate in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
            try:
                return raw.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
        raise CommandError(f"无法按 {encoding or 'UTF-8 / GB18030'} 解码文件，请用 --encoding 指定编码")
