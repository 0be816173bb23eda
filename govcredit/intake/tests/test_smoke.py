from pathlib import Path

from govcredit.archive.models import CreditRecord
from govcredit.intake.models import BatchStatus
from govcredit.ledger.hashing import digest_instance
from govcredit.ledger.verification import verify
from govcredit.testing import City

from .conftest import csv_bytes, penalty, run_file, write


def test_smoke(city: City, tmp_path: Path) -> None:
    rows = [penalty(i) for i in range(1, 30)]
    rows[3]["处罚决定日期"] = "2024-02-30"
    path = write(tmp_path, "a.csv", csv_bytes(rows))
    batch = run_file(city, path)
    print(batch.status, batch.message)
    assert batch.status == BatchStatus.DONE, batch.message
    assert batch.accepted == 28 and batch.rejected == 1
    recs = CreditRecord.objects.filter(batch_id=batch.pk)
    assert recs.count() == 28
    chunk = batch.chunks.get()
    from govcredit.intake.integrity import unpack
    stored = dict(unpack(bytes(chunk.digests)))
    for r in recs:
        assert digest_instance(r) == stored[r.pk], r.pk
    report = verify()
    assert report.ok, [f.message for f in report.findings]
    again = run_file(city, path)
    assert again.unchanged == 28 and again.accepted == 0 and again.updated == 0, again.message
