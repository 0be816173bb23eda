"""K1: an agreed inspection period that lapses without inspection is noticed by the daily job
(``services.run_daily`` → ``entry.refresh_lapsed_inspections``), without anyone recording the delay: the
milestones paid after inspection get their due dates from the end of the period (条例 第十条), rolled to a
working day, with the same ledger entries as when a person records the delay; not before the period ends,
not once inspection was passed, and never twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from govcredit.core.errors import DomainError
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import history
from govcredit.obligations.entry import REASON_LAPSED, lapsed_inspection_contracts, record_inspection_delay
from govcredit.obligations.models import Contract, Milestone, MilestoneRule, ObligationStatus
from govcredit.obligations.procurement import (
    MilestoneSpec,
    record_delivery,
    record_payment,
    register_contract,
)
from govcredit.obligations.services import mark_obligations, run_daily
from govcredit.testing import City, on_day

from .helpers import owe

DELIVERED = dt.date(2026, 9, 1)  # with 10 inspection days the period ends on 11 September
LAPSE = dt.date(2026, 9, 11)
# 11 September + 30 days = Sunday 11 October, a rest day after the National Day holiday → Monday 12 October
DUE_FROM_LAPSE = dt.date(2026, 10, 12)


def inspected_contract(city: City, number: str, *, inspection_days: int | None = 10,
                       delivered: dt.date | None = DELIVERED, rules: tuple[str, ...] = (MilestoneRule.INSPECTION.value,),
                       signed: dt.date = dt.date(2026, 8, 1)) -> Contract:
    with time_machine.travel(on_day(dt.date(2026, 9, 2)), tick=False):
        return register_contract(
            number=number, name="检测设备采购", buyer=city.orgs["xinjiekou"], supplier_name="南京精测仪器有限公司",
            supplier_is_sme=True, amount=Decimal("50000") * len(rules), signed_on=signed, inspection_days=inspection_days,
            milestones=[MilestoneSpec(f"第{i}期", Decimal("50000"), rule) for i, rule in enumerate(rules, start=1)],
            actor="test", delivered_on=delivered)


def run_on(day: dt.date) -> dict[str, int]:
    with time_machine.travel(on_day(day, hour=1), tick=False):
        return run_daily()


def milestone(contract: Contract, seq: int = 1) -> Milestone:
    return Milestone.objects.select_related("obligation").get(contract=contract, seq=seq)


class TestInspectionLapse:
    def test_the_job_counts_from_the_end_of_the_period_with_the_entries_of_a_recorded_delay(self, shared_city: City) -> None:
        contract = inspected_contract(shared_city, "检验-1")
        assert milestone(contract).due_on is None

        # on the period's last day the buyer is not late yet
        before = LedgerEntry.objects.count()
        assert run_on(LAPSE)["inspection_lapsed"] == 0
        assert milestone(contract).due_on is None and LedgerEntry.objects.count() == before

        result = run_on(LAPSE + dt.timedelta(days=1))
        assert result["inspection_lapsed"] == 1 and result["inspection_milestones"] == 1
        m = milestone(contract)
        assert m.due_on == DUE_FROM_LAPSE and m.obligation is not None
        assert m.obligation.due_on == DUE_FROM_LAPSE and m.obligation.status == ObligationStatus.OPEN
        assert m.obligation.reference == "检验-1-1" and m.obligation.debtor_org == shared_city.orgs["xinjiekou"]
        entries = list(LedgerEntry.objects.filter(seq__gt=before).order_by("seq"))
        assert [(e.action, e.actor, e.reason) for e in entries] == [
            ("obligation.register", "system", REASON_LAPSED),
            ("procurement.milestone.change", "system", REASON_LAPSED)]
        assert [e.entity_id for e in entries] == [m.obligation.pk, m.pk]

        # a second run (the same day or the next) finds nothing and writes nothing
        after = LedgerEntry.objects.count()
        assert run_on(LAPSE + dt.timedelta(days=1))["inspection_lapsed"] == 0
        assert run_on(LAPSE + dt.timedelta(days=2))["inspection_lapsed"] == 0
        assert LedgerEntry.objects.count() == after
        assert milestone(contract).due_on == DUE_FROM_LAPSE

        # the obligation then goes its way: due on 12 October, overdue from the 13th
        with time_machine.travel(on_day(DUE_FROM_LAPSE), tick=False):
            assert mark_obligations().overdue == 0
        with time_machine.travel(on_day(DUE_FROM_LAPSE + dt.timedelta(days=1)), tick=False):
            assert mark_obligations().overdue == 1
        ob = milestone(contract).obligation
        assert ob is not None and ob.status == ObligationStatus.OVERDUE
        assert ob.overdue_since == DUE_FROM_LAPSE + dt.timedelta(days=1)
        assert [e.action for e in history(ob)] == ["obligation.register", "obligation.due_soon", "obligation.overdue"]

    def test_the_same_as_recording_the_delay_by_hand(self, shared_city: City) -> None:
        by_job, by_hand = inspected_contract(shared_city, "检验-2"), inspected_contract(shared_city, "检验-3")
        with time_machine.travel(on_day(LAPSE + dt.timedelta(days=3)), tick=False):
            record_inspection_delay(by_hand, actor="system", reason=REASON_LAPSED)
        assert run_on(LAPSE + dt.timedelta(days=3))["inspection_lapsed"] == 1  # the one recorded is not found
        hand, job = milestone(by_hand), milestone(by_job)
        assert hand.due_on == job.due_on == DUE_FROM_LAPSE
        assert ([(e.action, e.actor, e.reason) for e in history(hand)]
                == [(e.action, e.actor, e.reason) for e in history(job)])

    def test_accepted_within_the_period_counts_from_acceptance(self, shared_city: City) -> None:
        contract = inspected_contract(shared_city, "检验-4")
        with time_machine.travel(on_day(dt.date(2026, 9, 5)), tick=False):
            record_delivery(contract, accepted_on=dt.date(2026, 9, 5), actor="test")
        # 5 September + 30 = 5 October, in the National Day holiday (1–7 October) → 8 October
        assert milestone(contract).due_on == dt.date(2026, 10, 8)
        before = LedgerEntry.objects.count()
        assert run_on(LAPSE + dt.timedelta(days=1))["inspection_lapsed"] == 0
        assert milestone(contract).due_on == dt.date(2026, 10, 8) and LedgerEntry.objects.count() == before

    def test_only_unpaid_inspection_milestones_of_lapsed_contracts_are_found(self, shared_city: City) -> None:
        lapsed = inspected_contract(shared_city, "检验-5", rules=(MilestoneRule.DELIVERY.value,
                                                                 MilestoneRule.INSPECTION.value))
        inspected_contract(shared_city, "检验-6", inspection_days=None)  # no agreed period: nothing lapses
        inspected_contract(shared_city, "检验-7", delivered=None)  # not delivered
        longer = inspected_contract(shared_city, "检验-8", inspection_days=20)  # ends on 21 September
        inspected_contract(shared_city, "检验-9", rules=(MilestoneRule.DELIVERY.value,))  # nothing after inspection
        day = LAPSE + dt.timedelta(days=1)
        assert lapsed_inspection_contracts(day) == [lapsed.pk]
        assert lapsed_inspection_contracts(dt.date(2026, 9, 22)) == [lapsed.pk, longer.pk]
        assert milestone(lapsed, 1).due_on == dt.date(2026, 10, 8)  # from delivery, untouched
        run_on(day)
        assert milestone(lapsed, 2).due_on == DUE_FROM_LAPSE
        assert lapsed_inspection_contracts(dt.date(2026, 9, 22)) == [longer.pk]
        run_on(dt.date(2026, 9, 22))
        # 21 September + 30 = 21 October, a Wednesday
        assert milestone(longer).due_on == dt.date(2026, 10, 21)
        assert lapsed_inspection_contracts(dt.date(2026, 9, 23)) == []

    def test_a_paid_milestone_is_left_alone(self, shared_city: City) -> None:
        contract = inspected_contract(shared_city, "检验-10")
        with time_machine.travel(on_day(dt.date(2026, 9, 8)), tick=False):
            record_payment(milestone(contract), amount=Decimal("50000"), paid_on=dt.date(2026, 9, 8), actor="test")
        assert lapsed_inspection_contracts(LAPSE + dt.timedelta(days=1)) == []

    def test_a_refused_contract_does_not_stop_the_others(self, shared_city: City) -> None:
        first, second = inspected_contract(shared_city, "检验-11"), inspected_contract(shared_city, "检验-12")
        # the first milestone's obligation reference is already taken: registering it is refused (409)
        with time_machine.travel(on_day(dt.date(2026, 9, 2)), tick=False):
            owe(shared_city.orgs["xinjiekou"], dt.date(2026, 12, 1), reference="检验-11-1")
        result = run_on(LAPSE + dt.timedelta(days=1))
        assert result["inspection_refused"] == 1 and result["inspection_lapsed"] == 1
        assert milestone(first).due_on is None and milestone(second).due_on == DUE_FROM_LAPSE
        with time_machine.travel(on_day(LAPSE + dt.timedelta(days=1)), tick=False), pytest.raises(DomainError):
            record_inspection_delay(first, actor="test")
