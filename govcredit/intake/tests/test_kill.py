"""Point 4: a process killed with SIGKILL mid-batch leaves only whole chunks; running it again completes the
batch with no duplicates (each chunk commits its records, ledger entry and the batch's progress together)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count, Sum

from govcredit.archive.models import CreditRecord
from govcredit.intake.integrity import CHUNK_ACTION
from govcredit.intake.models import BatchStatus, ImportBatch, IntakeChunk
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.testing import build_city, database_url

from .conftest import NATIONAL, penalty

ROWS = 40_000
CHUNK = 1_000




def _big_file(path: Path) -> int:
    """A generated 行政处罚 CSV; every 97th row is invalid. Returns the number of valid rows."""
    import csv

    valid = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(NATIONAL)
        for i in range(1, ROWS + 1):
            bad = i % 97 == 0
            row = penalty(i, **({"处罚决定日期": "2025-02-30"} if bad else {}))
            w.writerow([row[h] for h in NATIONAL])
            valid += not bad
    return valid


def _command(path: Path, org_code: str, tmp: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "DATABASE_URL": database_url(),
           "GOVCREDIT_VAR_DIR": str(tmp / "var"), "GOVCREDIT_KEY_FILE": str(settings.KEY_FILE)}  # the same keys
    cmd = [sys.executable, "-m", "govcredit.cli", "import", str(path), "--type", "行政处罚", "--org", org_code,
           "--chunk-size", str(CHUNK), "--no-progress"]
    return cmd, env


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_batch_then_rerun_completes_without_duplicates(tmp_path: Path) -> None:
    city = build_city()
    path = tmp_path / "big.csv"
    valid = _big_file(path)
    cmd, env = _command(path, city.orgs["scjg"].credit_code, tmp_path)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            batch = ImportBatch.objects.first()
            if batch is not None and batch.chunks_done >= 3:
                break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.RUNNING and 3 <= batch.chunks_done < ROWS // CHUNK
    chunks = IntakeChunk.objects.filter(batch=batch)
    # whole chunks only: the records, the chunk rows, their ledger entries and the progress agree
    assert chunks.count() == batch.chunks_done
    assert CreditRecord.objects.filter(batch_id=batch.pk).count() == batch.accepted
    assert chunks.aggregate(n=Sum("accepted"))["n"] == batch.accepted
    assert LedgerEntry.objects.filter(action=CHUNK_ACTION).count() == batch.chunks_done
    assert batch.rows_done == batch.last_row - 1 == batch.chunks_done * CHUNK
    killed_at = batch.chunks_done

    # The killed process's claim names it, and it no longer exists: the rerun continues the batch at
    # once, without waiting for the heartbeat to age (a live claimant's batch is refused: test_resume).
    done = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert f"继续处理未完成的批次 #{batch.pk}" in done.stdout.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.chunks_done == ROWS // CHUNK > killed_at
    assert (batch.accepted, batch.rejected, batch.updated, batch.unchanged) == (valid, ROWS - valid, 0, 0)
    records = CreditRecord.objects.filter(batch_id=batch.pk)
    assert records.count() == valid
    dupes = records.values("decision_number", "counterparty_name").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    assert ImportBatch.objects.count() == 1
    report = verify()
    assert report.ok, [f.message for f in report.findings[:5]]
