"""Signed checkpoints of the ledger's head, kept outside the database (as transparency logs do).

The hash chain proves that no entry was changed, but not that none was cut off at the end: whoever can
write the database can delete the newest entries and move ``LedgerHead`` back. A *checkpoint* is the
head at a moment — sequence number, entry hash, time — signed with an Ed25519 key
(``settings.LEDGER_CHECKPOINT_KEY``). Checkpoints are appended, one JSON line each, to
``settings.LEDGER_CHECKPOINT_FILE``: after an append is committed (at most one every
``LEDGER_CHECKPOINT_INTERVAL`` seconds per process, so appending stays cheap) and by a daily job.
The operator copies that file off the database host (docs/architecture.md); ``govcredit verify-ledger
--checkpoint FILE`` then fails when the chain is shorter than, or differs from, any checkpoint in it.
The public key (``govcredit ledger-checkpoint --public-key``) checks signatures without the private one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection, transaction

from govcredit.core import clock

from .models import LedgerHead

logger = logging.getLogger("govcredit.ledger")

_DOMAIN = "govcredit-ledger-checkpoint-v1"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str  # the entry hash at ``seq``
    time: str  # ISO 8601, UTC
    sig: str = ""  # Ed25519 signature of :meth:`message`, hex

    def message(self) -> bytes:
        return f"{_DOMAIN}\n{self.seq}\n{self.head}\n{self.time}".encode()

    def line(self) -> str:
        return json.dumps({"seq": self.seq, "head": self.head, "time": self.time, "sig": self.sig},
                          separators=(",", ":")) + "\n"


def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(settings.LEDGER_CHECKPOINT_KEY))


def public_key_pem() -> str:
    """The public key that checks checkpoints, to keep with the copies of the checkpoint file."""
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("不是 Ed25519 公钥")
    return key


def sign(seq: int, head: str, when: dt.datetime) -> Checkpoint:
    unsigned = Checkpoint(seq, head, when.astimezone(dt.UTC).isoformat(timespec="seconds"))
    return Checkpoint(unsigned.seq, unsigned.head, unsigned.time, private_key().sign(unsigned.message()).hex())


def write(seq: int, head: str, path: Path | None = None) -> Checkpoint:
    """Sign the head (``seq``, ``head``) now and append it to the checkpoint file (one write, O_APPEND)."""
    checkpoint = sign(seq, head, clock.now())
    path = path or Path(settings.LEDGER_CHECKPOINT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, checkpoint.line().encode())
    finally:
        os.close(fd)
    return checkpoint


def write_current(path: Path | None = None) -> Checkpoint:
    """Checkpoint the committed head as it is (the daily job, and ``govcredit ledger-checkpoint``)."""
    head = LedgerHead.objects.filter(id=1).values_list("seq", "entry_hash").first() or (0, "0" * 64)
    return write(head[0], head[1], path)


_last_scheduled = {"at": -float("inf")}


def after_append(seq: int, head: str) -> None:
    """Called inside the transaction that moved the head to (``seq``, ``head``): checkpoint it once that
    transaction commits (a rolled-back head is never signed), unless this process did so moments ago."""
    interval = settings.LEDGER_CHECKPOINT_INTERVAL
    if interval < 0:
        return
    now = time.monotonic()
    if now - _last_scheduled["at"] < interval:
        return
    _last_scheduled["at"] = now
    transaction.on_commit(partial(_write_logged, seq, head), using=connection.alias, robust=True)


def _write_logged(seq: int, head: str) -> None:
    try:
        write(seq, head)
    except OSError:
        logger.exception("无法写入留痕检查点 #%s", seq)


# --- checking a checkpoint file ---------------------------------------------------------------------

@dataclass
class Problem:
    kind: str  # "invalid", "truncated", "differs"
    message: str
    seq: int | None = None


def read(lines: Iterable[str], public_key: Ed25519PublicKey) -> tuple[list[Checkpoint], list[Problem]]:
    """The checkpoints with a good signature, and a problem for every line that is not one."""
    good: list[Checkpoint] = []
    problems: list[Problem] = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            checkpoint = Checkpoint(int(data["seq"]), str(data["head"]), str(data["time"]), str(data["sig"]))
            public_key.verify(bytes.fromhex(checkpoint.sig), checkpoint.message())
        except (ValueError, KeyError, TypeError, InvalidSignature):
            problems.append(Problem("invalid", f"检查点文件第 {number} 行无效（格式错误或签名不符）"))
            continue
        good.append(checkpoint)
    return good, problems


def check(checkpoints: list[Checkpoint], chain_seq: int) -> list[Problem]:
    """Compare the verified chain (it reaches ``chain_seq``) with every checkpoint.

    A checkpoint beyond the chain's end means entries were cut off; one whose sequence number the chain
    has with another hash means the chain was rewritten. Each is named once, by its newest checkpoint.
    """
    problems: list[Problem] = []
    beyond = [c for c in checkpoints if c.seq > chain_seq]
    if beyond:
        last = max(beyond, key=lambda c: c.seq)
        problems.append(Problem(
            "truncated", f"留痕链只到 #{chain_seq}，而 {last.time} 的检查点记有 #{last.seq}："
            f"链尾留痕记录 #{chain_seq + 1}–{last.seq} 被删除（链被截断）", seq=chain_seq + 1))
    within = sorted((c for c in checkpoints if 0 < c.seq <= chain_seq), key=lambda c: c.seq)
    stored: dict[int, str] = {}
    seqs = sorted({c.seq for c in within})
    with connection.cursor() as cur:
        for i in range(0, len(seqs), 500):
            part = seqs[i:i + 500]
            cur.execute(f"SELECT seq, entry_hash FROM ledger_ledgerentry WHERE seq IN ({', '.join(['%s'] * len(part))})",
                        part)
            stored.update(cur.fetchall())
    differing = [c for c in within if stored.get(c.seq) != c.head]
    if differing:
        first = differing[0]
        more = f"（另有 {len(differing) - 1} 个检查点也不符）" if len(differing) > 1 else ""
        problems.append(Problem(
            "differs", f"留痕记录 #{first.seq} 的哈希与 {first.time} 的检查点不符：链被改写或替换{more}", seq=first.seq))
    return problems
