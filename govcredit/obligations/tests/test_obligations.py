"""The register: statuses by due date, the daily job's marks and candidates, the credit office's decision."""

from __future__ import annotations

import datetime as dt

import pytest

from govcredit.archive.models import CreditRecord
from govcredit.core.errors import Conflict, DomainError
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify
from govcredit.obligations.models import BreachCandidate, CandidateStatus, Obligation, ObligationStatus
from govcredit.obligations.services import (
    cancel_obligation,
    change_obligation,
    confirm_candidate,
    dismiss_candidate,
    fulfil_obligation,
    mark_obligations,
)
from govcredit.sanctions.models import AppliedMeasure
from govcredit.testing import City, on_day

from .helpers import owe

DAY = dt.date(2026, 11, 10)


@pytest.mark.time_machine(on_day(DAY))
class TestDailyJob:
    def test_marks_due_soon_overdue_and_candidates_past_grace(self, shared_city: City) -> None:
        org = shared_city.orgs["xinjiekou"]
        far = owe(org, DAY + dt.timedelta(days=30))
        soon = owe(org, DAY + dt.timedelta(days=7))
        today = owe(org, DAY)
        late = owe(org, DAY - dt.timedelta(days=1), grace_days=0)
        graced = owe(org, DAY - dt.timedelta(days=1), grace_days=5)
        assert {o.status for o in (far, soon, today)} == {ObligationStatus.OPEN, ObligationStatus.DUE_SOON}
        result = mark_obligations(DAY)
        for o in (far, soon, today, late, graced):
            o.refresh_from_db()
        assert far.status == ObligationStatus.OPEN
        assert soon.status == today.status == ObligationStatus.DUE_SOON  # the due day itself is not late
        assert late.status == graced.status == ObligationStatus.OVERDUE
        assert result.candidates == 1
        candidate = BreachCandidate.objects.get()
        assert candidate.obligation == late and candidate.status == CandidateStatus.PENDING
        assert not CreditRecord.objects.filter(subject_org=org, record_type__code="tqzk").exists()
        # the grace period: a candidate on its 6th day after the due date, not before
        mark_obligations(DAY + dt.timedelta(days=4))
        assert not graced.candidates.exists()
        mark_obligations(DAY + dt.timedelta(days=5))
        assert graced.candidates.count() == 1

    def test_every_change_is_a_ledger_entry_and_the_job_is_idempotent(self, shared_city: City) -> None:
        ob = owe(shared_city.orgs["xinjiekou"], DAY - dt.timedelta(days=3))
        mark_obligations(DAY)
        again = mark_obligations(DAY)
        assert (again.overdue, again.due_soon, again.candidates) == (0, 0, 0)
        actions = list(history(ob).values_list("action", flat=True))
        assert actions == ["obligation.register", "obligation.candidate"]  # overdue at registration already
        fresh = owe(shared_city.orgs["xinjiekou"], DAY + dt.timedelta(days=2))
        mark_obligations(DAY + dt.timedelta(days=3))
        assert list(history(fresh).values_list("action", flat=True)) == ["obligation.register", "obligation.overdue"]
        entry = history(fresh).get(action="obligation.overdue")
        changes = entry.changes.replace(" ", "")
        assert '"status":["即将到期","已逾期"]' in changes and '"candidate_on":[null,' in changes
        candidate = BreachCandidate.objects.get(obligation=fresh)
        assert history(candidate).filter(action="obligation.candidate.create").count() == 1
        assert verify().ok

    def test_small_chunks_do_what_one_chunk_does(self, shared_city: City) -> None:
        """Chunks of two rows per condition: every row changed once, each with one entry, the candidates made
        once, however the rows fall into chunks (a row matching two conditions is changed once)."""
        org = shared_city.orgs["xinjiekou"]
        later = DAY + dt.timedelta(days=12)
        soon_late = owe(org, DAY + dt.timedelta(days=3), grace_days=0)  # 即将到期 → 已逾期 and a candidate
        open_late = owe(org, DAY + dt.timedelta(days=9), grace_days=0)  # 未到期 → 已逾期 and a candidate
        also_late = owe(org, DAY + dt.timedelta(days=5), grace_days=0)
        graced = owe(org, DAY + dt.timedelta(days=11), grace_days=5)  # 已逾期, its candidate not yet
        coming = owe(org, DAY + dt.timedelta(days=15))  # 未到期 → 即将到期
        since = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        result = mark_obligations(later, chunk=2)
        assert (result.overdue, result.due_soon, result.candidates) == (4, 1, 3)
        statuses = {o.pk: o.status for o in Obligation.objects.filter(pk__in=[
            soon_late.pk, open_late.pk, also_late.pk, graced.pk, coming.pk])}
        assert statuses == {soon_late.pk: ObligationStatus.OVERDUE, open_late.pk: ObligationStatus.OVERDUE,
                            also_late.pk: ObligationStatus.OVERDUE, graced.pk: ObligationStatus.OVERDUE,
                            coming.pk: ObligationStatus.DUE_SOON}
        assert set(BreachCandidate.objects.values_list("obligation_id", flat=True)) == {
            soon_late.pk, open_late.pk, also_late.pk}
        written = list(LedgerEntry.objects.filter(seq__gt=since).values_list("entity_type", "entity_id"))
        assert len(written) == len(set(written)) == 5 + 3
        assert (mark_obligations(later, chunk=2).overdue, mark_obligations(later).candidates) == (0, 0)
        assert verify().ok

    def test_fulfilled_cancelled_and_changed(self, shared_city: City) -> None:
        org = shared_city.orgs["xinjiekou"]
        paid = owe(org, DAY - dt.timedelta(days=2))
        fulfil_obligation(paid, actor="test", on=DAY - dt.timedelta(days=3))
        dropped = owe(org, DAY - dt.timedelta(days=2))
        with pytest.raises(DomainError):
            cancel_obligation(dropped, actor="test", reason=" ")
        cancel_obligation(dropped, actor="test", reason="合同依法解除")
        moved = owe(org, DAY - dt.timedelta(days=2))
        change_obligation(moved, actor="test", reason="经双方协商并报批，延期付款", due_on=DAY + dt.timedelta(days=20))
        assert moved.status == ObligationStatus.OPEN
        assert mark_obligations(DAY).candidates == 0
        with pytest.raises(DomainError):
            fulfil_obligation(paid, actor="test")
        assert Obligation.objects.get(pk=paid.pk).status == ObligationStatus.FULFILLED


@pytest.mark.time_machine(on_day(DAY))
class TestCandidateDecision:
    def test_confirm_enters_records_for_org_and_person_with_measures(self, shared_city: City) -> None:
        person = shared_city.people["xuanwu"]
        ob = owe(shared_city.orgs["xinjiekou"], DAY - dt.timedelta(days=10), person=person, amount="250000")
        mark_obligations(DAY)
        candidate = BreachCandidate.objects.get(obligation=ob)
        credit = shared_city.users["credit"]
        with pytest.raises(DomainError):
            confirm_candidate(candidate, actor=shared_city.users["district"], severity="一般", reason="逾期未付")
        confirm_candidate(candidate, actor=credit, severity="一般", reason="经核实，逾期未支付中小企业款项")
        assert candidate.status == CandidateStatus.CONFIRMED
        org_record, person_record = candidate.org_record, candidate.person_record
        assert org_record is not None and person_record is not None
        assert org_record.record_type.code == "tqzk" and org_record.subject_org == ob.debtor_org
        assert str(org_record.amount) == "25.000000"
        assert person_record.subject_person == person
        assert AppliedMeasure.objects.filter(record=org_record).exists()
        assert AppliedMeasure.objects.filter(record=person_record).exists()
        assert history(candidate).filter(action="obligation.candidate.confirm").exists()
        with pytest.raises(Conflict):
            dismiss_candidate(candidate, actor=credit, reason="重复")

    def test_dismiss_needs_a_reason_and_makes_no_record(self, shared_city: City) -> None:
        ob = owe(shared_city.orgs["qinhuai"], DAY - dt.timedelta(days=10))
        mark_obligations(DAY)
        candidate = BreachCandidate.objects.get(obligation=ob)
        before = CreditRecord.objects.count()
        with pytest.raises(DomainError):
            dismiss_candidate(candidate, actor=shared_city.users["credit"], reason="")
        dismiss_candidate(candidate, actor=shared_city.users["credit"], reason="供应商未按约定开具发票，逾期非采购人原因")
        assert candidate.status == CandidateStatus.DISMISSED and CreditRecord.objects.count() == before
        assert LedgerEntry.objects.filter(action="obligation.candidate.dismiss").count() == 1
