"""The same file submitted again (``intake.resubmission``): rows whose record is as the earlier run left it
are counted 未变化 without being checked again; every other row gets the full treatment, and the
outcome is exactly what checking every row would give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.intake import resubmission
from govcredit.intake.models import BatchStatus, IntakeChunk
from govcredit.intake.validate import RowValidator
from govcredit.ledger.verification import verify

from .conftest import csv_bytes, penalty, run_file, write

ROWS = 30
BAD = {7, 19}  # rows (i) with an impossible decision date


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The file rows that went through validation, in the order they were checked."""
    rows: list[int] = []
    validate = RowValidator.validate

    def spy(self: RowValidator, frame: pl.DataFrame) -> pl.DataFrame:
        rows.extend(frame["_row"].to_list())
        return validate(self, frame)

    monkeypatch.setattr(RowValidator, "validate", spy)
    return rows


def _file(tmp_path: Path, name: str = "p.csv", **changes: dict[str, str]) -> Path:
    rows = [penalty(i, **({"处罚决定日期": "2025-02-30"} if i in BAD else {})) for i in range(1, ROWS + 1)]
    for i, change in changes.items():
        rows[int(i.lstrip("r")) - 1].update(change)
    return write(tmp_path, name, csv_bytes(rows))


def _counts(batch: Any) -> tuple[int, int, int, int]:
    return batch.accepted, batch.updated, batch.unchanged, batch.rejected


def test_rows_left_unchanged_are_not_checked_again(city: Any, tmp_path: Path, checked: list[int]) -> None:
    path = _file(tmp_path)
    first = run_file(city, path, chunk_size=8)
    assert _counts(first) == (ROWS - 2, 0, 0, 2)
    outcomes = [o for c in IntakeChunk.objects.filter(batch=first) for o in resubmission.unpack(c.outcomes)]
    assert sorted(o[0] for o in outcomes) == [i + 1 for i in range(1, ROWS + 1) if i not in BAD]
    checked.clear()
    second = run_file(city, path, chunk_size=8)
    assert second.status == BatchStatus.DONE
    assert _counts(second) == (0, 0, ROWS - 2, 2)
    assert sorted(checked) == [i + 1 for i in sorted(BAD)]  # only the rows rejected before (file rows 8 and 20)
    assert [r[2] for c in IntakeChunk.objects.filter(batch=second) for r in c.rejected_rows] == \
        [r[2] for c in IntakeChunk.objects.filter(batch=first) for r in c.rejected_rows]
    checked.clear()
    third = run_file(city, path, chunk_size=13)  # the earlier run's notes do not depend on its chunk size
    assert _counts(third) == (0, 0, ROWS - 2, 2) and sorted(checked) == [8, 20]


def test_a_record_changed_since_is_checked_and_matched_again(city: Any, tmp_path: Path, checked: list[int]) -> None:
    path = _file(tmp_path)
    run_file(city, path)
    record = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕3号")
    change_status(record, RecordStatus.OBJECTION, actor="clerk", reason="当事人提出异议")
    checked.clear()
    again = run_file(city, path)
    assert _counts(again) == (0, 0, ROWS - 2, 2)
    assert sorted(checked) == [4, 8, 20]  # i = 3 is file row 4
    record.refresh_from_db()
    assert record.status == RecordStatus.OBJECTION


def test_a_record_corrected_by_another_file_is_put_back(city: Any, tmp_path: Path) -> None:
    original = _file(tmp_path)
    run_file(city, original)
    corrected = _file(tmp_path, "c.csv", r5={"处罚内容": "罚款人民币一万元", "罚款金额(万元)": "1"})
    assert _counts(run_file(city, corrected)) == (0, 1, ROWS - 3, 2)
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕5号").result == "罚款人民币一万元"
    back = run_file(city, original)
    assert _counts(back) == (0, 1, ROWS - 3, 2)
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕5号").result == "罚款人民币五千元"
    assert verify().ok


def test_a_duplicate_of_a_row_passed_over_is_still_a_duplicate(city: Any, tmp_path: Path, checked: list[int]) -> None:
    # file row 26 (i = 25) repeats the decision and counterparty of file row 3 (i = 2) with other content
    path = _file(tmp_path, r25={**penalty(2), "违法事实": "另一份材料中的事实"})
    first = run_file(city, path, chunk_size=10)
    assert _counts(first) == (ROWS - 3, 0, 0, 3)
    checked.clear()
    again = run_file(city, path, chunk_size=10)
    assert _counts(again) == (0, 0, ROWS - 3, 3)
    assert 26 in checked and 3 not in checked
    reasons = {r[0]: r[2] for c in IntakeChunk.objects.filter(batch=again) for r in c.rejected_rows}
    assert "与第 3 行的决定文书号和行政相对人相同" in reasons[26]
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕2号").facts == penalty(2)["违法事实"]


def test_another_submitter_or_a_dry_run_does_not_count_as_an_earlier_run(city: Any, tmp_path: Path,
                                                                         checked: list[int]) -> None:
    path = _file(tmp_path)
    run_file(city, path, dry_run=True)
    checked.clear()
    first = run_file(city, path)
    assert _counts(first) == (ROWS - 2, 0, 0, 2) and len(checked) == ROWS
    checked.clear()
    by_city = run_file(city, path, org="city")  # the parent government submits the same file
    assert _counts(by_city) == (0, 0, ROWS - 2, 2) and len(checked) == ROWS
