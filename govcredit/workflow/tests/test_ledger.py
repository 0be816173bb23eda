"""Every workflow decision is a ledger entry, and the ledger verifies with cases, history and evidence in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from govcredit.ledger.hashing import entity_type_of
from govcredit.ledger.models import LedgerBypassError, LedgerEntry
from govcredit.ledger.verification import verify
from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Case, CaseEvent, Evidence

from .conftest import open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]


def test_each_decision_is_an_entry_and_verify_is_ok(city: City, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = open_sample(city)
    services.attach_evidence(case, "r.pdf", b"%PDF-1.4 x", city.users["district"])
    services.transition(case, "已提交", city.users["district"], "已整改")
    entries = LedgerEntry.objects.filter(entity_type=entity_type_of(Case), entity_id=case.pk).order_by("seq")
    assert [(e.action, e.actor) for e in entries] == [("workflow.open", "system"),
                                                      ("workflow.transition", "district")]
    last = entries.last()
    assert last is not None and last.reason == "待整改 → 已提交：已整改"
    assert LedgerEntry.objects.filter(entity_type=entity_type_of(CaseEvent)).count() == 2
    assert LedgerEntry.objects.filter(entity_type=entity_type_of(Evidence), action="workflow.evidence").count() == 1
    assert verify().ok


def test_a_case_changed_behind_the_engine_is_found(city: City) -> None:
    case = open_sample(city)
    with pytest.raises(LedgerBypassError):
        Case.objects.filter(pk=case.pk).update(status="已办结")
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {Case._meta.db_table} SET status = %s WHERE id = %s", ["已办结", case.pk])
    report = verify()
    assert not report.ok
    assert any(f"#{case.pk}" in f.message or str(case.pk) in f.message for f in report.findings)
