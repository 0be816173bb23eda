"""Where the secret keys come from: one rule for every key, read once by settings.

Each key has a purpose of its own, so none can be worked out from another (rotating Django's
``SECRET_KEY`` changes no other key):

===================  ==========================  =====================================================
key                  environment variable        used for
===================  ==========================  =====================================================
``secret_key``       ``GOVCREDIT_SECRET_KEY``    Django (sessions, CSRF, password reset links)
``field_keys``       ``GOVCREDIT_FIELD_KEYS``    Fernet encryption of ID numbers (comma-separated, newest first)
``index_key``        ``GOVCREDIT_INDEX_KEY``     blind index of ID numbers (64 hex digits)
``ledger_key``       ``GOVCREDIT_LEDGER_KEY``    ledger entry hashes and state digests (64 hex digits)
``checkpoint_key``   ``GOVCREDIT_CHECKPOINT_KEY`` Ed25519 private key that signs ledger checkpoints (64 hex digits)
===================  ==========================  =====================================================

The rule: a key set in the environment wins; otherwise it is read from the key file
(``GOVCREDIT_KEY_FILE``, default ``var/keys.json``); a key found in neither place is generated at
random and written to the key file (created owner-only, mode 0600), so the demo still starts with one
command — unless ``GOVCREDIT_PRODUCTION=1``, where a missing key stops the start. Outside debug and
tests, a key that was ever published (the old demo ``SECRET_KEY`` and the keys derived from it) or a key
file others can read stops the start too.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# The demo SECRET_KEY that settings.py once printed, and what the ledger, blind index and field
# encryption derived from it. Listed only so that none of them is ever accepted as a key again.
_PUBLISHED_SECRET = "govcredit-demo-secret-key-change-me-in-production-0123456789"  # noqa: S105 - a blocklist


def _legacy_derived(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{_PUBLISHED_SECRET}".encode()).digest()


PUBLISHED_KEYS = frozenset({
    _PUBLISHED_SECRET,
    _legacy_derived("ledger").hex(),
    _legacy_derived("blind-index").hex(),
    base64.urlsafe_b64encode(_legacy_derived("field-encryption")).decode(),
})


@dataclass(frozen=True)
class Keys:
    secret_key: str
    field_keys: list[str]
    index_key: bytes
    ledger_key: bytes
    checkpoint_key: bytes  # Ed25519 private key (raw 32 bytes)


def _hex32(name: str) -> Callable[[str], bytes]:
    def parse(text: str) -> bytes:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(f"{name} 必须是 64 位十六进制数（32 字节随机密钥）")
        return raw
    return parse


def _fernet_keys(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    for k in keys:
        try:
            Fernet(k)
        except (ValueError, binascii.Error) as e:
            raise ImproperlyConfigured("GOVCREDIT_FIELD_KEYS 中有无效的 Fernet 密钥") from e
    if not keys:
        raise ImproperlyConfigured("GOVCREDIT_FIELD_KEYS 为空")
    return keys


def _secret(text: str) -> str:
    if len(text) < 50 or len(set(text)) < 5:
        raise ImproperlyConfigured("GOVCREDIT_SECRET_KEY 至少 50 个字符且不能过于单一")
    return text


# name in the key file and in the environment, how to make a fresh one.
_SPECS: dict[str, tuple[str, Callable[[], str]]] = {
    "secret_key": ("GOVCREDIT_SECRET_KEY", lambda: secrets.token_urlsafe(50)),
    "field_keys": ("GOVCREDIT_FIELD_KEYS", lambda: Fernet.generate_key().decode()),
    "index_key": ("GOVCREDIT_INDEX_KEY", lambda: secrets.token_hex(32)),
    "ledger_key": ("GOVCREDIT_LEDGER_KEY", lambda: secrets.token_hex(32)),
    "checkpoint_key": ("GOVCREDIT_CHECKPOINT_KEY", lambda: secrets.token_hex(32)),
}


def _read_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise ImproperlyConfigured(f"密钥文件 {path} 无法读取：{e}") from e
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ImproperlyConfigured(f"密钥文件 {path} 格式不对（应为 名称→字符串 的 JSON 对象）")
    return data


def _complete_file(path: Path, names: list[str]) -> dict[str, str]:
    """Add fresh keys for ``names`` to the key file (created owner-only), under a lock so that processes
    starting together agree on one set; keys already in the file are kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = _read_file(path)
        for name in names:
            data.setdefault(name, _SPECS[name][1]())
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    return data


def load_keys(env: Mapping[str, str], key_file: Path, *, production: bool, strict: bool) -> Keys:
    """Every key by the rule of this module. ``strict`` (outside debug and tests) refuses published keys
    and a key file others can read; ``production`` refuses to generate a missing key."""
    stored = _read_file(key_file)
    values: dict[str, str] = {}
    missing = []
    for name, (var, _) in _SPECS.items():
        value = env.get(var, "").strip() or stored.get(name, "")
        if value:
            values[name] = value
        else:
            missing.append(name)
    if missing and production:
        raise ImproperlyConfigured(
            "生产环境（GOVCREDIT_PRODUCTION=1）缺少密钥：" + "、".join(_SPECS[n][0] for n in missing)
            + f"（请在环境变量或密钥文件 {key_file} 中提供）")
    if missing:
        stored = _complete_file(key_file, missing)
        values.update({n: stored[n] for n in missing})
    if strict:
        published = [_SPECS[n][0] for n, v in values.items() if set(v.split(",")) & PUBLISHED_KEYS]
        if published:
            raise ImproperlyConfigured("以下密钥是公开过的演示密钥，不能使用：" + "、".join(published))
        if key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) & 0o077:
            raise ImproperlyConfigured(f"密钥文件 {key_file} 的权限过宽，请执行 chmod 600 {key_file}")
    return Keys(
        secret_key=_secret(values["secret_key"]),
        field_keys=_fernet_keys(values["field_keys"]),
        index_key=_hex32("GOVCREDIT_INDEX_KEY")(values["index_key"]),
        ledger_key=_hex32("GOVCREDIT_LEDGER_KEY")(values["ledger_key"]),
        checkpoint_key=_hex32("GOVCREDIT_CHECKPOINT_KEY")(values["checkpoint_key"]),
    )
