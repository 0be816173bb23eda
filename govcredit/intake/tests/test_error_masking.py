"""Rejected rows show full ID numbers only to roles allowed to see them: everyone else gets them masked,
in the API, on the batch page and in the XLSX error report."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client

from govcredit.intake.models import ImportBatch
from govcredit.testing import streamed

from .conftest import csv_bytes, penalty, person_id, run_file, write

SPACED = " ".join(person_id(9)[i:i + 4] for i in range(0, 18, 4))
SECRETS = (person_id(4), person_id(9), "13822223333")
JOINERS = re.compile(r"(?<=\d)[\s.\-]{1,3}(?=[\dXx])")


def _client(city: Any, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def _leaks(text: str) -> list[str]:
    plain = JOINERS.sub("", unicodedata.normalize("NFKC", text))
    return [s for s in SECRETS if s in plain]


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(" | ".join(str(c) for c in row if c is not None) for row in book.active.iter_rows(values_only=True))


@pytest.fixture
def batch(city: Any, tmp_path: Path) -> ImportBatch:
    rows = [penalty(4, 处罚类别="罚站"),  # a natural person: full ID number in 法定代表人证件号码
            penalty(5, 处罚类别="罚站", 违法事实=f"经营者身份证{SPACED}，手机138.2222.3333"),
            penalty(6, 处罚类别="罚站", 法定代表人证件号码=person_id(9)[:-1])]  # malformed: 17 characters
    batch = run_file(city, write(tmp_path, "rows.csv", csv_bytes(rows)), org="xuanwu")
    assert batch.rejected == 3
    return batch


@pytest.mark.parametrize("role", ["district", "personnel"])
def test_others_get_masked_ids_in_api_page_and_report(city: Any, batch: ImportBatch, role: str) -> None:
    # 区政府: the batch is in its scope; 组织人事部门: sees every batch, but a full ID number only through
    # the logged reveal of the reports app
    client = _client(city, role)
    errors = client.get(f"/api/intake/batches/{batch.pk}/errors")
    assert errors.status_code == 200
    assert _leaks(errors.content.decode()) == []
    values = [e["values"] for e in errors.json()]
    assert any(person_id(4)[:4] + "*" * 10 + person_id(4)[-4:] in v for v in values)
    assert "138****3333" in errors.content.decode()
    report = client.get(f"/api/intake/batches/{batch.pk}/report")
    assert report.status_code == 200
    assert _leaks(_xlsx_text(streamed(report))) == []
    page_report = client.get(f"/intake/batches/{batch.pk}/report.xlsx")
    text = _xlsx_text(streamed(page_report))
    assert _leaks(text) == [] and "138****3333" in text
    assert _leaks(client.get(f"/intake/batches/{batch.pk}/").content.decode()) == []


def test_credit_office_sees_the_rows_as_sent(city: Any, batch: ImportBatch) -> None:
    client = _client(city, "credit")
    errors = client.get(f"/api/intake/batches/{batch.pk}/errors").content.decode()
    assert person_id(4) in errors and SPACED in errors
    report = _xlsx_text(streamed(client.get(f"/api/intake/batches/{batch.pk}/report")))
    assert person_id(4) in report and person_id(9)[:-1] in report
