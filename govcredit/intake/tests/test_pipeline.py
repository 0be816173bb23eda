"""Chunks are written on a second thread while the next one is checked (``services.ChunkWriter``):
the outcome is the same as writing them one after the other, a failed write stops the batch after
the chunks before it, and inside a caller's transaction the chunks are written inline."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import RecordType
from govcredit.intake import services
from govcredit.intake.models import BatchStatus, ImportBatch, IntakeChunk
from govcredit.intake.services import run_batch, submit_file
from govcredit.ledger.verification import verify
from govcredit.testing import build_city

from .conftest import csv_bytes, penalty, write

ROWS = 130
CHUNK = 20


def _rows() -> list[dict[str, Any]]:
    rows = [penalty(i, **({"处罚决定日期": "2025-02-30"} if i % 13 == 0 else {})) for i in range(1, ROWS + 1)]
    rows[44] = penalty(5)  # file row 46 repeats file row 6, two chunks later
    return rows


def _submit(tmp_path: Path, settings: Any) -> ImportBatch:
    settings.MEDIA_ROOT = tmp_path / "media"
    city = build_city()
    path = write(tmp_path, "penalties.csv", csv_bytes(_rows()))
    batch, _ = submit_file(path, record_type=RecordType.objects.get(name="行政处罚"), org=city.orgs["scjg"],
                           actor="tester")
    return batch


def _commits_on(monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> list[str]:
    """Record the thread each chunk is committed on; optionally fail the ``fail_at``-th commit."""
    threads: list[str] = []
    commit = services.Processor.commit

    def spy(self: services.Processor, *args: Any, **kwargs: Any) -> IntakeChunk:
        threads.append(threading.current_thread().name)
        if fail_at is not None and len(threads) == fail_at:
            raise RuntimeError("数据库连接中断（测试）")
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(services.Processor, "commit", spy)
    return threads


@pytest.mark.django_db(transaction=True)
def test_chunks_written_on_the_writer_thread_give_the_same_outcome(tmp_path: Path, settings: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _submit(tmp_path, settings)
    threads = _commits_on(monkeypatch)
    done = run_batch(batch.pk, chunk_size=CHUNK)
    invalid = ROWS // 13
    assert done.status == BatchStatus.DONE, done.message
    assert len(threads) == done.chunks_done == 7
    assert all(name.startswith("intake-writer") for name in threads), threads
    assert (done.accepted, done.rejected) == (ROWS - invalid - 1, invalid + 1)
    chunk3 = IntakeChunk.objects.get(batch=done, seq=3)
    assert [r[0] for r in chunk3.rejected_rows] == [46, 53]  # the duplicate of row 6; i = 52 has 2025-02-30
    assert "第 6 行" in chunk3.rejected_rows[0][2]
    assert list(IntakeChunk.objects.filter(batch=done).order_by("seq").values_list("first_row", flat=True)) == \
        [2 + CHUNK * k for k in range(7)]
    records = CreditRecord.objects.filter(batch_id=done.pk)
    assert records.count() == done.accepted
    assert not records.values("decision_number").annotate(n=Count("id")).filter(n__gt=1).exists()
    report = verify()
    assert report.ok, [f.message for f in report.findings[:5]]


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_stops_the_batch_and_a_rerun_completes_it(tmp_path: Path, settings: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _submit(tmp_path, settings)
    _commits_on(monkeypatch, fail_at=3)
    failed = run_batch(batch.pk, chunk_size=CHUNK)
    assert failed.status == BatchStatus.FAILED and "数据库连接中断" in failed.message
    assert failed.chunks_done == 2 and failed.last_row == 2 * CHUNK + 1
    assert CreditRecord.objects.filter(batch_id=batch.pk).count() == failed.accepted

    monkeypatch.undo()
    done = run_batch(batch.pk, chunk_size=CHUNK)
    assert done.status == BatchStatus.DONE and done.chunks_done == 7
    assert CreditRecord.objects.filter(batch_id=batch.pk).count() == done.accepted == ROWS - ROWS // 13 - 1
    assert verify().ok


@pytest.mark.django_db
def test_inside_a_transaction_chunks_are_written_inline(tmp_path: Path, settings: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _submit(tmp_path, settings)
    threads = _commits_on(monkeypatch)
    done = run_batch(batch.pk, chunk_size=CHUNK)
    assert done.status == BatchStatus.DONE
    assert threads == [threading.current_thread().name] * 7
