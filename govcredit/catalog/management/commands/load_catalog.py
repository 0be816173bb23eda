"""`govcredit load-catalog [FILE]`: create types and publish new versions from the catalog file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govcredit.catalog.services import CATALOG_FILE, CatalogError, load_catalog


class Command(BaseCommand):
    help = "从目录文件载入信息类别；与最新版本不同的类别发布新版本"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", default=str(CATALOG_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            published = load_catalog(Path(options["file"]), actor="load-catalog")
        except (CatalogError, OSError, ValueError) as e:
            raise CommandError(f"目录文件有误：{e}") from None
        for version in published:
            self.stdout.write(f"已发布 {version}")
        self.stdout.write(self.style.SUCCESS(f"目录已载入，新发布 {len(published)} 个版本。"))
