"""The ledger commitment of chunks: one entry per chunk, and verification still names the exact altered record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection

from govcredit.archive.models import CreditRecord
from govcredit.intake.integrity import CHUNK_ACTION, merkle_root, unpack
from govcredit.intake.models import IntakeChunk
from govcredit.ledger.hashing import digest_instance
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify

from .conftest import csv_bytes, penalty, run_file, write


def test_one_entry_per_chunk_committing_to_every_record(city: Any, tmp_path: Path) -> None:
    entries = LedgerEntry.objects.count()
    rows = [penalty(i) for i in range(1, 26)]
    rows[5]["违法事实"] = '含"引号"和\\反斜杠\t以及制表符'  # escaped in JSON: the Python path computes its digest
    batch = run_file(city, write(tmp_path, "a.csv", csv_bytes(rows)), chunk_size=10)
    assert batch.accepted == 25
    chunks = list(IntakeChunk.objects.filter(batch=batch).order_by("seq"))
    assert len(chunks) == 3 and LedgerEntry.objects.count() == entries + 3
    for chunk in chunks:
        assert chunk.ledger_seq is not None
        entry = LedgerEntry.objects.get(seq=chunk.ledger_seq)
        assert entry.action == CHUNK_ACTION and entry.state_digest == chunk.merkle_root == merkle_root(bytes(chunk.digests))
        for pk, digest in unpack(bytes(chunk.digests)):
            assert digest_instance(CreditRecord.objects.get(pk=pk)) == digest
    assert verify().ok


def _tamper(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_verification_names_the_altered_record(city: Any, tmp_path: Path) -> None:
    run_file(city, write(tmp_path, "a.csv", csv_bytes([penalty(i) for i in range(1, 11)])))
    victim = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕7号")
    _tamper("UPDATE archive_creditrecord SET result = %s WHERE id = %s", ["罚款人民币五元", victim.pk])
    report = verify()
    assert [f.entity for f in report.findings] == [f"archive.creditrecord:{victim.pk}"]
    assert report.findings[0].kind == "record_altered" and f"#{victim.pk}" in report.findings[0].message


def test_verification_finds_deleted_record_and_altered_chunk(city: Any, tmp_path: Path) -> None:
    batch = run_file(city, write(tmp_path, "a.csv", csv_bytes([penalty(i) for i in range(1, 6)])))
    gone = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕3号")
    _tamper("DELETE FROM archive_creditrecord WHERE id = %s", [gone.pk])
    report = verify()
    assert [(f.kind, f.entity) for f in report.findings] == [("record_deleted", f"archive.creditrecord:{gone.pk}")]
    chunk = IntakeChunk.objects.get(batch=batch)
    blob = bytearray(chunk.digests)
    blob[-1] ^= 1
    IntakeChunk.objects.filter(pk=chunk.pk).update(digests=bytes(blob))
    report = verify()
    assert any(f.kind == "entry_altered" and f"归集块 #{chunk.pk}" in f.message for f in report.findings)


def test_a_deleted_chunk_row_is_named_once_not_as_every_record_it_created(city: Any, tmp_path: Path) -> None:
    batch = run_file(city, write(tmp_path, "a.csv", csv_bytes([penalty(i) for i in range(1, 26)])), chunk_size=10)
    gone = IntakeChunk.objects.get(batch=batch, seq=2)
    _tamper("DELETE FROM intake_intakechunk WHERE id = %s", [gone.pk])
    report = verify()
    assert [(f.kind, f.seq, f.entity) for f in report.findings] == [
        ("chunk_deleted", gone.ledger_seq, f"intake.intakechunk:{gone.pk}"),
        ("chunk_deleted", None, f"intake.importbatch:{batch.pk}")]
    assert f"归集块 #{gone.pk}（留痕记录 #{gone.ledger_seq}）已不存在" in report.findings[0].message
    assert f"批次 #{batch.pk} 中 10 条信用记录" in report.findings[1].message
