"""``govcredit import FILE --type 行政处罚 [--org CODE] [--sheet NAME] [--dry-run]``: import a batch from the console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from govcredit.intake.models import BatchSource, BatchStatus, ImportBatch
from govcredit.intake.services import resolve_type, run_batch, submit_file
from govcredit.intake.sources import FileRejected
from govcredit.subjects.identifiers import normalize_credit_code
from govcredit.subjects.models import Organization


class Command(BaseCommand):
    help = "归集：导入 CSV / XLSX / JSON Lines 文件中的信用记录（逐行校验，生成错误报告，可重复提交）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的文件（.csv、.xlsx、.jsonl、.json）")
        parser.add_argument("--type", required=True, dest="record_type", help="信息类别名称或代码，如“行政处罚”或 xzcf")
        parser.add_argument("--org", default="", help="报送单位的统一社会信用代码（默认：市级根单位）")
        parser.add_argument("--sheet", default="", help="XLSX 工作表名称（默认第一个工作表）")
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入任何记录")
        parser.add_argument("--chunk-size", type=int, default=None, help="每个事务提交的行数（默认 10000）")
        parser.add_argument("--actor", default="cli", help="写入留痕的操作人（默认 cli）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            rtype = resolve_type(opts["record_type"])
        except FileRejected as e:
            raise CommandError(str(e)) from None
        org = self._org(opts["org"])
        batch, resumed = submit_file(path, record_type=rtype, org=org, actor=opts["actor"], source=BatchSource.CLI,
                                     file_name=path.name, sheet=opts["sheet"], dry_run=opts["dry_run"])
        if resumed:
            self.stdout.write(f"继续处理未完成的批次 #{batch.pk}（已提交到第 {batch.last_row} 行）")
        else:
            self.stdout.write(f"批次 #{batch.pk}：{path.name} → {rtype.name}（{org.name}）")
        bar: list[tqdm] = []

        def progress(b: ImportBatch, rows: int) -> None:
            if not bar:
                bar.append(tqdm(total=b.rows_estimate or None, initial=b.rows_done - rows, unit="行",
                                desc="归集", disable=opts["no_progress"], file=self.stderr._out))
            bar[0].update(rows)

        try:
            batch = run_batch(batch.pk, chunk_size=opts["chunk_size"], progress=progress)
        finally:
            if bar:
                if batch.status == BatchStatus.DONE:  # the estimate counts blank lines too
                    bar[0].total = bar[0].n
                    bar[0].refresh()
                bar[0].close()
        self.stdout.write(f"批次 #{batch.pk} {batch.status}：{batch.message}")
        if batch.error_report:
            self.stdout.write(f"错误报告：{batch.error_report}")
        if batch.status != BatchStatus.DONE:
            raise CommandError(f"批次 #{batch.pk} {batch.status}")

    def _org(self, code: str) -> Organization:
        if code:
            org = Organization.objects.filter(credit_code=normalize_credit_code(code)).first()
            if org is None:
                raise CommandError(f"没有统一社会信用代码为 {code} 的单位")
            return org
        roots: list[Organization] = list(Organization.objects.filter(parent=None)[:2])
        if len(roots) != 1:
            raise CommandError("请用 --org 指定报送单位的统一社会信用代码")
        return roots[0]
