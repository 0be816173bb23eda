"""The intake repeats some of the archive's rules in Polars for speed (``intake/validate.py`` and
``intake/records.py``): the publicity window, the cross-field checks (decision date not after today, the
publicity end not before the decision, no credit code for a natural person) and the submitter check.
Here each rule is run both ways on the same inputs — an import of the rows, and
``archive.services.build_record`` on each row — and the answers must be the same: the same rows accepted,
the same window and severity for each, and the archive's own message inside the intake's reason for each
refusal. The dates are the edges: today and tomorrow, leap days, month ends.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import build_record
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import VERSION_KEYS, publish_version
from govcredit.intake.models import BatchStatus, IntakeChunk
from govcredit.testing import City, on_day

from .conftest import company_code, csv_bytes, person_id, run_file, write

TODAY = dt.date(2028, 2, 29)  # a leap day: the window of a decision made on it ends on 28 February
COMPANY = "法人及非法人组织"

# (case, decision date, severity, publicity end given, counterparty kind, credit code given)
CASES: list[tuple[str, str, str, str, str, bool]] = [
    ("decided today", "2028-02-29", "一般", "", COMPANY, True),
    ("decided tomorrow", "2028-03-01", "一般", "", COMPANY, True),
    ("a year after the leap day", "2024-02-29", "一般", "", COMPANY, True),
    ("three years after the leap day", "2024-02-29", "严重", "", COMPANY, True),
    ("minor: the window is the decision day", "2027-12-31", "轻微", "", COMPANY, True),
    ("a month end", "2027-01-31", "一般", "", COMPANY, True),
    ("the last day of a 30-day month", "2026-11-30", "严重", "", COMPANY, True),
    ("the end of the year", "2025-12-31", "严重", "", COMPANY, True),
    ("the first of a month", "2027-03-01", "一般", "", COMPANY, True),
    ("severity derived from the penalty", "2027-06-15", "", "", COMPANY, True),
    ("publicity end given after the decision", "2027-05-31", "一般", "2028-02-29", COMPANY, True),
    ("publicity end on the decision day", "2027-05-31", "一般", "2027-05-31", COMPANY, True),
    ("publicity end the day before the decision", "2027-05-31", "一般", "2027-05-30", COMPANY, True),
    ("publicity end on a leap day before a decision on 1 March", "2028-03-01", "一般", "2028-02-29", COMPANY, True),
    ("natural person without a credit code", "2027-07-01", "一般", "", "自然人", False),
    ("natural person with a credit code", "2027-07-01", "一般", "", "自然人", True),
]


def _row(i: int, decided: str, severity: str, publicity_end: str, kind: str, with_code: bool,
         authority_code: str) -> dict[str, str]:
    """A 行政处罚 row in the catalog's own labels (the intake reads them as its header)."""
    natural = kind == "自然人"
    return {
        "行政相对人名称": f"张某{i}" if natural else f"南京某某贸易有限公司{i}", "行政相对人类别": kind,
        "行政相对人代码_1(统一社会信用代码)": company_code(i) if with_code else "",
        "证件类型": "身份证" if natural else "", "证件号码": person_id(i) if natural else "",
        "行政处罚决定书文号": f"宁市监罚〔2028〕{i}号", "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营活动",
        "处罚依据": "《无证无照经营查处办法》第十三条", "处罚类别": "罚款", "处罚内容": "罚款人民币五万元",
        "罚款金额（万元）": "5", "处罚决定日期": decided, "公示截止期": publicity_end, "处罚机关": "南京市市场监督管理局",
        "处罚机关统一社会信用代码": authority_code, "严重程度": severity,
    }


def _archive_answer(rtype: RecordType, row: dict[str, str], org: Any) -> CreditRecord | list[str]:
    raw = {k: v for k, v in row.items() if v != ""}
    try:
        return build_record(rtype.current(), raw, issuing_org=org)
    except ValidationError as e:
        return [m for messages in e.message_dict.values() for m in messages]


def _intake_answers(batch: Any) -> dict[int, str]:
    """Rejected rows' reasons by data row (0-based)."""
    return {row_no - 2: reason for chunk in IntakeChunk.objects.filter(batch=batch)
            for row_no, _values, reason in chunk.rejected_rows}


@pytest.mark.time_machine(on_day(TODAY))
def test_each_repeated_rule_answers_as_the_archive_does(city: City, tmp_path: Path) -> None:
    org = city.orgs["scjg"]
    rtype = RecordType.objects.get(code="xzcf")
    rows = [_row(i, *case[1:], authority_code=org.credit_code) for i, case in enumerate(CASES, start=1)]
    batch = run_file(city, write(tmp_path, "edges.csv", csv_bytes(rows, header=list(rows[0]))))
    assert batch.status == BatchStatus.DONE, batch.message
    rejected = _intake_answers(batch)
    outcomes = set()
    for i, (case, row) in enumerate(zip(CASES, rows, strict=True)):
        expected = _archive_answer(rtype, row, org)
        if isinstance(expected, list):
            outcomes.add("refused")
            assert i in rejected, f"{case[0]}: the archive refuses ({expected}), the intake accepted"
            for message in expected:
                assert message in rejected[i], f"{case[0]}: “{message}” not in the intake's “{rejected[i]}”"
            continue
        outcomes.add("accepted")
        assert i not in rejected, f"{case[0]}: the archive accepts, the intake refused: {rejected.get(i)}"
        imported = CreditRecord.objects.get(decision_number=row["行政处罚决定书文号"])
        assert (imported.publicity_start, imported.publicity_end, imported.severity) == \
            (expected.publicity_start, expected.publicity_end, expected.severity), case[0]
    assert outcomes == {"accepted", "refused"}


@pytest.mark.time_machine(on_day(TODAY))
def test_the_submitter_check_answers_as_the_archive_does(city: City, tmp_path: Path) -> None:
    """A version that names its submitters (玄武区 and below): both refuse 市场监管局 and accept 新街口街道."""
    rtype = RecordType.objects.get(code="xzcf")
    current = rtype.current()
    definition = {key: getattr(current, key) for key in VERSION_KEYS}
    publish_version(rtype, {**definition, "submitters": [city.orgs["xuanwu"].credit_code]}, actor="test",
                    reason="限定报送单位")
    for key, allowed in (("scjg", False), ("xinjiekou", True)):
        org = city.orgs[key]
        row = _row(100 + allowed, "2027-06-01", "一般", "", COMPANY, True, authority_code=org.credit_code)
        archive = _archive_answer(rtype, row, org)
        batch = run_file(city, write(tmp_path, f"{key}.csv", csv_bytes([row], header=list(row))), org=key)
        if allowed:
            assert isinstance(archive, CreditRecord) and batch.status == BatchStatus.DONE, batch.message
            assert CreditRecord.objects.filter(decision_number=row["行政处罚决定书文号"], issuing_org=org).exists()
        else:
            assert isinstance(archive, list) and batch.status == BatchStatus.RETURNED
            assert f"{org.name} 不是“行政处罚”的报送单位" in archive[0] and f"{org.name} 不是“行政处罚”的报送单位" in batch.message
