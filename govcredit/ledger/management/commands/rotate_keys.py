"""``govcredit rotate-keys``: re-encrypt every registered encrypted column under the newest field key.

Put the new key first in ``GOVCREDIT_FIELD_KEYS`` (or ``field_keys`` in the key file), keep the old one
after it, run this, then remove the old key. Columns are registered in ``core.crypto`` by their apps.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govcredit.ledger.services import rotate_encrypted_fields


class Command(BaseCommand):
    help = "用最新的字段加密密钥重新加密所有登记的加密字段（身份证号、证件号码等），用于密钥轮换"

    def handle(self, *args: Any, **options: Any) -> None:
        results = rotate_encrypted_fields()
        for r in results:
            self.stdout.write(f"  {r.label}：重新加密 {r.rotated} 个，已是最新密钥 {r.current} 个"
                              + (f"，无法解密 {len(r.unreadable)} 个（#{', #'.join(map(str, r.unreadable[:10]))}）"
                                 if r.unreadable else ""))
        if any(r.unreadable for r in results):
            raise CommandError("有密文无法用已配置的任何密钥解密：请勿移除旧密钥，先查明原因。")
        self.stdout.write(self.style.SUCCESS("全部加密字段已在最新密钥下；确认无误后可移除旧密钥。"))
