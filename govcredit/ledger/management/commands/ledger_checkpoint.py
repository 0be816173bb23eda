"""``govcredit ledger-checkpoint``: sign the ledger's head now and append it to the checkpoint file.

``--public-key`` prints the Ed25519 public key instead (PEM), to keep with the copies of the checkpoint
file off the database host; ``verify-ledger --checkpoint FILE --public-key PEM`` checks with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from govcredit.ledger import checkpoints


class Command(BaseCommand):
    help = "为留痕链头签发检查点（序号、哈希、时间），追加到检查点文件；--public-key 输出核验用公钥"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--public-key", action="store_true", help="只输出检查点签名公钥（PEM）")
        parser.add_argument("--file", type=Path, help=f"检查点文件（默认 {settings.LEDGER_CHECKPOINT_FILE}）")

    def handle(self, *args: Any, public_key: bool = False, file: Path | None = None, **options: Any) -> None:
        if public_key:
            self.stdout.write(checkpoints.public_key_pem(), ending="")
            return
        checkpoint = checkpoints.write_current(file)
        self.stdout.write(self.style.SUCCESS(
            f"已签发检查点：#{checkpoint.seq} {checkpoint.head} {checkpoint.time} → {file or settings.LEDGER_CHECKPOINT_FILE}"))
