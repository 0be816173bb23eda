"""Rebuild the portal's search index from the public publications.

Needed only after a change to the normalisation (``search.fold``/``name_key``) or if the index was
damaged; publishing and withdrawing keep it current on their own.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from govcredit.disclosure.search import rebuild_index


class Command(BaseCommand):
    help = "重建信用信息公示检索索引（二元组倒排表、检索键、频次、决定机关表）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chunk", type=int, default=5000, help="每批处理的公开信息条数")

    def handle(self, *args: Any, **options: Any) -> None:
        t0 = time.perf_counter()
        total = rebuild_index(chunk=options["chunk"])
        self.stdout.write(f"已为 {total:,} 条公示中的信息重建检索索引，用时 {time.perf_counter() - t0:.1f} 秒。")
