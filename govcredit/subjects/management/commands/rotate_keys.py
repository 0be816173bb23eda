"""`govcredit rotate-keys`: re-encrypt every ID number under the newest key of GOVCREDIT_FIELD_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand

from govcredit.subjects.services import rotate_id_encryption


class Command(BaseCommand):
    help = "用 GOVCREDIT_FIELD_KEYS 中的最新密钥重新加密全部身份证号（密钥轮换）"

    def handle(self, *args: Any, **options: Any) -> None:
        count = rotate_id_encryption()
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {count} 个身份证号；确认无误后可从 GOVCREDIT_FIELD_KEYS 中移除旧密钥。"))
