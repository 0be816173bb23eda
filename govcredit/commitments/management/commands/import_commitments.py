"""`govcredit import-commitments FILE --user NAME [--dry-run] [--report OUT.xlsx]`: PPP projects (sheet 项目阶段,
with their stages and responsible posts), their duties (sheet 义务) and investment promises (sheet 承诺) from an
XLSX workbook or a CSV file, with an error per rejected row; ``--template OUT.xlsx`` writes the blank workbook."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from govcredit.commitments import importer, runs
from govcredit.commitments.models import ImportSource, ImportStatus

LABELS = [("projects_created", "新建项目 {n} 个"), ("projects_updated", "推进项目 {n} 个"),
          ("projects_unchanged", "未变化项目 {n} 个"), ("stages_started", "新开始阶段 {n} 个"),
          ("duties_created", "新建义务 {n} 项"), ("duties_fulfilled", "登记履行 {n} 项"),
          ("promises_created", "新建承诺 {n} 项"), ("promises_unchanged", "未变化承诺 {n} 项")]


class Command(BaseCommand):
    help = "从 XLSX 或 CSV 导入PPP项目（阶段、责任岗位、义务）和招商引资承诺，逐行报告错误"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--report", help="把被拒绝的行（和新承诺的查询码）写入该 XLSX 文件")
        parser.add_argument("--template", help="把空白导入模板写入该 XLSX 文件，然后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["template"]:
            with Path(options["template"]).open("wb") as f:
                importer.write_template(f)
            self.stdout.write(f"已写入导入模板 {options['template']}")
            return
        if not options["file"] or not options["user"]:
            raise CommandError("请给出要导入的文件和 --user")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {options['user']} 不存在或已停用")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件 {path} 不存在")
        parsed = importer.read_file(path)
        job = runs.submit(path, user=user, dry_run=options["dry_run"], source=ImportSource.CLI)
        with tqdm(total=parsed.total, unit="行", desc="导入PPP项目和承诺", disable=options["verbosity"] == 0) as bar:
            job, report = runs.run_job(job.pk, progress=bar.update, keep_codes=False, parsed=parsed)
        if report is None or job.status == ImportStatus.FAILED:
            raise CommandError(job.message or f"导入 #{job.pk} 未运行")
        for sheet, row, column, message in report.errors:
            where = f"{sheet} 第 {row} 行" if row else (sheet or "文件")
            self.stdout.write(f"{where} {column}：{message}")
        if report.codes:
            self.stdout.write("新承诺的查询码（只显示这一次，请交给投资方）：")
            for number, code in report.codes:
                self.stdout.write(f"  {number}  {code}")
        if options["report"]:
            with Path(options["report"]).open("wb") as f:
                importer.write_report(report.rejected, f, report.codes)
        verb = "可导入（仅检查，未写入）" if options["dry_run"] else "已导入"
        counts = "、".join(label.format(n=report.counts[key]) for key, label in LABELS if report.counts[key])
        self.stdout.write(f"{verb}：{counts or '没有新内容'}；错误 {len(report.errors)} 行。")
        if not report.ok:
            raise CommandError("部分行有错误，见上")
