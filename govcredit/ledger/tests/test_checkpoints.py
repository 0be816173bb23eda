"""Signed checkpoints kept off the database host catch a chain cut short or rewritten (issue 8, item 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import CommandError, call_command

from govcredit.archive.services import change_status
from govcredit.core import clock
from govcredit.ledger import checkpoints
from govcredit.ledger.verification import Report, verify
from govcredit.testing import City

from .conftest import head, last_seq, sql


def found(report: Report) -> list[tuple[str, int | None]]:
    return [(f.kind, f.seq) for f in report.findings]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def cut_tail(keep: int) -> None:
    """What issue 8 did: delete the newest entries and move the head back to a consistent place."""
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [keep])
    [(tip,)] = sql("SELECT entry_hash FROM ledger_ledgerentry WHERE seq = %s", [keep])
    sql("UPDATE ledger_ledgerhead SET seq = %s, entry_hash = %s WHERE id = 1", [keep, tip])


@pytest.mark.django_db
def test_an_intact_chain_agrees_with_its_checkpoints(ledger_city: City, tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    checkpoints.write_current(path)
    change_status(ledger_city.records["newest_penalty"], "已撤销", actor="clerk", reason="复议撤销")
    checkpoints.write_current(path)
    report = verify(checkpoint_lines=lines(path))
    assert report.ok, report.findings
    assert [c.seq for c in checkpoints.read(lines(path), checkpoints.private_key().public_key())[0]] == \
        [last_seq() - 1, last_seq()]


@pytest.mark.django_db
def test_cutting_the_tail_and_moving_the_head_back_fails_against_a_checkpoint(ledger_city: City, tmp_path: Path) -> None:
    path = tmp_path / "cp.jsonl"
    last = checkpoints.write_current(path).seq
    cut_tail(last - 2)
    report = verify(checkpoint_lines=lines(path))
    assert ("chain_truncated", last - 1) in found(report)
    message = next(f.message for f in report.findings if f.kind == "chain_truncated")
    assert f"留痕链只到 #{last - 2}" in message and f"#{last - 1}–{last} 被删除" in message

    with pytest.raises(CommandError):
        call_command("verify_ledger", "--no-progress", "--checkpoint", str(path), stdout=(out := _Out()))
    assert "链尾被截断" in out.text and f"#{last - 1}–{last}" in out.text


@pytest.mark.django_db
def test_a_chain_rewritten_under_a_checkpoint_fails(ledger_city: City, tmp_path: Path) -> None:
    """Someone holding the ledger key could re-chain; the checkpoint copy off the host still differs."""
    path = tmp_path / "cp.jsonl"
    seq = head().seq
    path.write_text(checkpoints.sign(seq, "f" * 64, clock.now()).line(), encoding="utf-8")
    assert found(verify(checkpoint_lines=lines(path))) == [("checkpoint_differs", seq)]


@pytest.mark.django_db
def test_an_altered_or_unsigned_checkpoint_is_invalid(ledger_city: City, tmp_path: Path) -> None:
    good = checkpoints.sign(head().seq, head().entry_hash, clock.now())
    bumped = good.line().replace(f'"seq":{good.seq}', f'"seq":{good.seq + 5}')
    report = verify(checkpoint_lines=[good.line(), bumped, "not json"])
    assert found(report) == [("checkpoint_invalid", None), ("checkpoint_invalid", None)]
    assert "第 2 行" in report.findings[0].message and "第 3 行" in report.findings[1].message


@pytest.mark.django_db
def test_the_exported_public_key_checks_and_another_key_does_not(ledger_city: City, tmp_path: Path) -> None:
    path, pem = tmp_path / "cp.jsonl", tmp_path / "ledger.pub"
    checkpoints.write_current(path)
    call_command("ledger_checkpoint", "--public-key", stdout=(out := _Out()))
    pem.write_text(out.text, encoding="utf-8")
    call_command("verify_ledger", "--no-progress", "--checkpoint", str(path), "--public-key", str(pem), stdout=_Out())
    pem.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(CommandError):
        call_command("verify_ledger", "--no-progress", "--checkpoint", str(path), "--public-key", str(pem),
                     stdout=(out := _Out()))
    assert "检查点无效" in out.text


@pytest.mark.django_db
def test_a_committed_append_writes_a_checkpoint_throttled(ledger_city: City, settings: Any, tmp_path: Path,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    settings.LEDGER_CHECKPOINT_FILE = path = tmp_path / "cp.jsonl"
    settings.LEDGER_CHECKPOINT_INTERVAL = 3600
    checkpoints._last_scheduled["at"] = -float("inf")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ledger_city.records["newest_penalty"], "已撤销", actor="clerk", reason="复议撤销")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ledger_city.records["objected_discipline"], "有效", actor="clerk", reason="异议不成立")  # within the hour: no line
    [only] = checkpoints.read(lines(path), checkpoints.private_key().public_key())[0]
    assert only.seq == last_seq() - 1
    call_command("ledger_checkpoint", "--file", str(path), stdout=_Out())  # the daily job's way
    assert checkpoints.read(lines(path), checkpoints.private_key().public_key())[0][-1].seq == last_seq()


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
