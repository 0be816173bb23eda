"""The demo step: contracts in every state, a payment overdue across the Spring Festival, candidates decided."""

from __future__ import annotations

import datetime as dt

import pytest

from govcredit.core.demo import DemoRun
from govcredit.ledger.verification import verify
from govcredit.obligations.demo import build
from govcredit.obligations.models import BreachCandidate, CandidateStatus, Obligation, ObligationStatus
from govcredit.testing import City, on_day

DAY = dt.date(2026, 12, 1)


@pytest.mark.time_machine(on_day(DAY))
def test_demo_contracts_in_every_state(city: City) -> None:
    counts = build(DemoRun(seed=1, scale=0.01, today=DAY, progress=False))
    assert counts["采购合同"] >= 10
    statuses = set(Obligation.objects.values_list("status", flat=True))
    assert statuses == set(ObligationStatus.values)
    festival = Obligation.objects.get(due_on=dt.date(2026, 2, 24))  # delivered 16 Jan, 30 days end in the festival
    assert festival.status == ObligationStatus.OVERDUE
    decided = set(BreachCandidate.objects.values_list("status", flat=True))
    assert decided == set(CandidateStatus.values)
    assert verify().ok
