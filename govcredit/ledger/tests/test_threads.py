"""Chunks fetched ahead by threads (committed data only) give exactly the findings of one thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from govcredit.ledger import verification
from govcredit.ledger.verification import Report, verify, verify_chain
from govcredit.testing import City

from .conftest import last_seq, sql


@pytest.fixture
def fetch_threads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Small chunks, so that a small ledger has many; returns the names of the threads that fetched."""
    names: set[str] = set()
    real = verification._fetch_chunk

    def spy(lo: int, hi: int) -> Any:
        names.add(threading.current_thread().name)
        return real(lo, hi)

    monkeypatch.setattr(verification, "CHUNK", 4)
    monkeypatch.setattr(verification, "_fetch_chunk", spy)
    return names


def findings(fetchers: int) -> tuple[int, list[tuple[str, int | None, str | None]]]:
    report = Report()
    state = verify_chain(report, fetchers=fetchers)
    verification.verify_records(report, state)
    return report.entries, [(f.kind, f.seq, f.entity) for f in report.findings]


@pytest.mark.django_db(transaction=True)
def test_threads_fetch_ahead_and_agree(fresh_city: City, fetch_threads: set[str]) -> None:
    clean = findings(2)
    assert clean == (last_seq(), [])
    assert {"ledger-verify-0", "ledger-verify-1"} <= fetch_threads
    assert verify().ok

    sql("UPDATE ledger_ledgerentry SET reason = 'x' WHERE seq = 6")
    sql("DELETE FROM ledger_ledgerentry WHERE seq IN (8, 9, 10)")  # across a chunk boundary
    sql("UPDATE ledger_ledgerentry SET state_digest = %s WHERE seq = %s", ["0" * 64, last_seq()])
    fetch_threads.clear()
    threaded = findings(2)
    assert "ledger-verify-1" in fetch_threads
    fetch_threads.clear()
    single = findings(1)
    assert fetch_threads == {threading.current_thread().name}
    assert threaded == single
    kinds = [(k, seq) for k, seq, _ in threaded[1]]
    assert ("entry_altered", 6) in kinds and ("entry_deleted", 8) in kinds and ("entry_altered", last_seq()) in kinds


@pytest.mark.django_db
def test_inside_a_transaction_the_calling_thread_fetches(fresh_city: City, fetch_threads: set[str]) -> None:
    """Other connections could not see this test's uncommitted rows, so no thread is started."""
    assert verify().ok
    assert fetch_threads == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_fetching_thread_reaches_the_caller(fresh_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "CHUNK", 4)
    real = verification._fetch_chunk

    def failing(lo: int, hi: int) -> Any:
        if lo >= 12:
            raise RuntimeError("连接中断")
        return real(lo, hi)

    monkeypatch.setattr(verification, "_fetch_chunk", failing)
    with pytest.raises(RuntimeError, match="连接中断"):
        verify()
    assert not [t for t in threading.enumerate() if t.name.startswith("ledger-verify")]
