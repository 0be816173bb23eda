"""`govcredit load-measures [FILE]`: create measures and rules and publish new versions from the data file."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govcredit.sanctions.catalogue import DATA_FILE, load_measures


class Command(BaseCommand):
    help = "从措施清单文件载入联合奖惩措施和规则；与现行版本不同的发布新版本（已启动的措施不受影响）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", default=str(DATA_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            published = load_measures(Path(options["file"]), actor="load-measures")
        except (ValidationError, OSError, ValueError, KeyError) as e:
            raise CommandError(f"措施清单文件有误：{e}") from None
        for version in published:
            self.stdout.write(f"已发布 {version}")
        self.stdout.write(self.style.SUCCESS(f"措施清单已载入，新发布 {len(published)} 个版本。"))
