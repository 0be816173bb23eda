"""K1: due dates under 《保障中小企业款项支付条例》 (calendar days, holidays, inspection, settlements), interest to
the day, payments, the yearly overdue list and its March reminder, complaints' deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govcredit.core.errors import DomainError
from govcredit.ledger.services import history
from govcredit.obligations.models import Contract, Milestone, MilestoneRule, ObligationStatus
from govcredit.obligations.procurement import (
    MilestoneSpec,
    confirm_settlement,
    contract_interest,
    daily_rate,
    due_date,
    interest,
    milestone_interest,
    record_delivery,
    record_payment,
    register_contract,
)
from govcredit.obligations.reports import overdue_by_department
from govcredit.obligations.services import mark_obligations
from govcredit.obligations.workflow import (
    ANSWERED,
    COMPLAINT,
    EXTENDED,
    HANDLING,
    OVERDUE_LIST,
    act_on_complaint,
    file_complaint,
    remind_overdue_lists,
)
from govcredit.testing import City, on_day
from govcredit.workflow.models import Case

D = Decimal


def contract(city: City, number: str, *, signed: dt.date, rule: str = MilestoneRule.DELIVERY.value,
             days: int = 30, inspection_days: int | None = None, sme: bool = True, rate: str | None = None,
             lpr: str | None = None, amount: str = "100000", delivered: dt.date | None = None) -> Contract:
    return register_contract(
        number=number, name="政务云服务采购", buyer=city.orgs["xinjiekou"], supplier_name="南京云启科技有限公司",
        supplier_is_sme=sme, amount=D(amount), signed_on=signed, payment_days=days, inspection_days=inspection_days,
        agreed_daily_rate=D(rate) if rate else None, lpr_at_signing=D(lpr) if lpr else None,
        milestones=[MilestoneSpec("全款", D(amount), rule)], actor="test", delivered_on=delivered)


@pytest.mark.django_db
class TestRules:
    def test_calendar_days_and_the_spring_festival(self) -> None:
        # 30 calendar days from 16 January 2026 is 15 February, in the Spring Festival holiday (15–23 Feb):
        # the period ends on the first working day after it.
        assert due_date(dt.date(2026, 1, 16), 30) == dt.date(2026, 2, 24)
        # A make-up working Saturday (14 Feb 2026) is a working day: no roll.
        assert due_date(dt.date(2026, 1, 15), 30) == dt.date(2026, 2, 14)
        # An ordinary Saturday rolls to Monday; a working day stays.
        assert due_date(dt.date(2026, 6, 6), 30) == dt.date(2026, 7, 6)
        assert due_date(dt.date(2026, 6, 1), 30) == dt.date(2026, 7, 1)
        # National Day: 1 Oct + 0..6 are holidays, 10 Oct 2026 a make-up working Saturday.
        assert due_date(dt.date(2026, 9, 1), 30) == dt.date(2026, 10, 8)

    def test_leap_years(self) -> None:
        assert due_date(dt.date(2028, 1, 30), 30) == dt.date(2028, 2, 29)
        assert due_date(dt.date(2027, 1, 30), 30) == dt.date(2027, 3, 1)

    def test_interest_to_the_day(self) -> None:
        due = dt.date(2026, 2, 24)
        # unpaid 100 000 at 0.05% a day: 50 yuan a day, from 25 Feb; 5 days to 1 March inclusive
        assert interest(due, D("100000"), [], dt.date(2026, 3, 1), D("0.0005")) == D("250.00")
        assert interest(due, D("100000"), [], due, D("0.0005")) == D("0.00")
        # paid 40 000 on 27 Feb (that day bears interest only on the rest), the rest on 3 March
        payments = [(dt.date(2026, 2, 27), D("40000")), (dt.date(2026, 3, 3), D("60000"))]
        # 25, 26 Feb on 100 000 = 100; 27 Feb – 2 Mar (4 days) on 60 000 = 120
        assert interest(due, D("100000"), payments, dt.date(2026, 6, 1), D("0.0005")) == D("220.00")
        # across 29 February of a leap year: 28 Feb, 29 Feb, 1 Mar = 3 days
        assert interest(dt.date(2028, 2, 27), D("10000"), [], dt.date(2028, 3, 1), D("0.0005")) == D("15.00")
        # rounding only at the end, half up
        assert interest(due, D("333.33"), [], dt.date(2026, 2, 25), D("0.0005")) == D("0.17")


@pytest.mark.time_machine(on_day(dt.date(2026, 3, 10)))
class TestContracts:
    def test_delivery_rule_and_holiday_payment_overdue_with_interest(self, shared_city: City) -> None:
        c = contract(shared_city, "HT-1", signed=dt.date(2026, 1, 5), delivered=dt.date(2026, 1, 16))
        m = c.milestones.get()
        assert m.due_on == dt.date(2026, 2, 24) and m.obligation is not None
        assert m.obligation.status == ObligationStatus.OVERDUE  # registered late, already overdue
        # 25 Feb .. 10 Mar = 14 days at 50 yuan
        assert milestone_interest(m) == D("700.00") == contract_interest(c)
        record_payment(m, amount=D("100000"), paid_on=dt.date(2026, 3, 2), actor="test")
        m.refresh_from_db()
        assert m.obligation is not None and m.obligation.status == ObligationStatus.FULFILLED
        assert milestone_interest(m) == D("250.00")  # 25 Feb – 1 Mar: the interest stops on payment

    def test_inspection_passed_and_buyer_delaying_it(self, shared_city: City) -> None:
        passed = contract(shared_city, "HT-2", signed=dt.date(2026, 1, 5), rule=MilestoneRule.INSPECTION.value,
                          inspection_days=15, delivered=dt.date(2026, 2, 2))
        # today is 10 March: the inspection period ended on 17 Feb unaccepted, so the buyer is delaying it and
        # the period counts from its end: 17 Feb + 30 = 19 Mar
        m = Milestone.objects.get(contract=passed)
        assert m.due_on == dt.date(2026, 3, 19)
        record_delivery(passed, accepted_on=dt.date(2026, 2, 10), actor="test")
        m.refresh_from_db()
        assert m.due_on == dt.date(2026, 3, 12)  # from passing inspection: 10 Feb + 30
        late = contract(shared_city, "HT-3", signed=dt.date(2026, 1, 5), rule=MilestoneRule.INSPECTION.value,
                        inspection_days=10, delivered=dt.date(2026, 1, 5))
        record_delivery(late, accepted_on=dt.date(2026, 3, 1), actor="test", reason="验收通过")
        # accepted long after the agreed period (to 15 Jan): counts from 15 Jan, 14 Feb (a make-up working day)
        assert late.milestones.get().due_on == dt.date(2026, 2, 14)

    def test_buyer_delay_without_acceptance_counts_from_end_of_period(self, shared_city: City) -> None:
        c = contract(shared_city, "HT-4", signed=dt.date(2026, 1, 5), rule=MilestoneRule.INSPECTION.value,
                     inspection_days=20, delivered=dt.date(2026, 1, 20))
        # inspection period ended 9 Feb, nobody accepted: due 11 Mar (9 Feb + 30)
        assert c.milestones.get().due_on == dt.date(2026, 3, 11)

    def test_staged_settlement_counts_from_confirmation_and_sixty_day_cap(self, shared_city: City) -> None:
        with pytest.raises(DomainError):
            contract(shared_city, "HT-5", signed=dt.date(2026, 1, 5), days=61)
        c = contract(shared_city, "HT-6", signed=dt.date(2026, 1, 5), days=60, rule=MilestoneRule.SETTLEMENT.value,
                     delivered=dt.date(2026, 1, 6))
        m = c.milestones.get()
        assert m.due_on is None
        confirm_settlement(m, settled_on=dt.date(2026, 3, 2), actor="test")
        assert m.due_on == dt.date(2026, 5, 6)  # 2 Mar + 60 = 1 May, a holiday to 5 May
        assert [e.action for e in history(m)][-1] == "procurement.milestone.change"

    def test_rate_not_below_lpr(self, shared_city: City) -> None:
        low = contract(shared_city, "HT-7", signed=dt.date(2026, 1, 5), rate="0.00001", lpr="0.030")
        assert daily_rate(low) == D("0.030") / 365
        assert daily_rate(contract(shared_city, "HT-8", signed=dt.date(2026, 1, 5))) == D("0.0005")


class TestOverdueListAndComplaints:
    @pytest.mark.time_machine(on_day(dt.date(2028, 2, 29)))
    def test_last_years_list_due_31_march_of_a_leap_year(self, shared_city: City) -> None:
        c = contract(shared_city, "HT-L", signed=dt.date(2027, 10, 1), delivered=dt.date(2027, 11, 1))
        paid_late = contract(shared_city, "HT-P", signed=dt.date(2027, 10, 1), delivered=dt.date(2027, 10, 8))
        record_payment(paid_late.milestones.get(), amount=D("30000"), paid_on=dt.date(2028, 1, 5), actor="test")
        rows = overdue_by_department(2027)
        assert [(r.org, r.contracts, r.amount) for r in rows] == [(shared_city.orgs["xinjiekou"], 2, D("200000.00"))]
        assert c.milestones.get().due_on == dt.date(2027, 12, 1)
        assert remind_overdue_lists(dt.date(2028, 2, 29)) == 0  # not yet March
        assert remind_overdue_lists(dt.date(2028, 3, 1)) == 1
        assert remind_overdue_lists(dt.date(2028, 3, 2)) == 0  # once a year
        case = Case.objects.get(kind=OVERDUE_LIST.code)
        assert case.due_on == dt.date(2028, 3, 31) and case.debtor_org == shared_city.orgs["xinjiekou"]

    @pytest.mark.time_machine(on_day(dt.date(2026, 9, 24)))
    def test_complaint_forwarded_in_10_working_days_answered_in_30(self, shared_city: City,
                                                                   time_machine: object) -> None:
        c = contract(shared_city, "HT-C", signed=dt.date(2026, 6, 1), delivered=dt.date(2026, 7, 1))
        ob = c.milestones.get().obligation
        assert ob is not None
        mark_obligations(dt.date(2026, 9, 24))
        case = file_complaint(ob, text="货款逾期两个月未付")
        # 24 Sep + 10 working days: 25 Sep–7 Oct are holidays except 28–30 Sep, 9 Oct, 10 Oct (make-up) ...
        assert case.due_on == dt.date(2026, 10, 15)
        with pytest.raises(PermissionDenied):
            act_on_complaint(case, HANDLING, actor=shared_city.users["district"], reason="转交")
        act_on_complaint(case, HANDLING, actor=shared_city.users["credit"], reason="转交玄武区处理")
        assert case.due_on == dt.date(2026, 10, 24)  # 30 calendar days
        act_on_complaint(case, EXTENDED, actor=shared_city.users["district"], reason="需核实结算", extend_days=60)
        assert case.due_on == dt.date(2026, 12, 23)
        with pytest.raises(ValidationError):
            act_on_complaint(case, ANSWERED, actor=shared_city.users["district"], reason="")
        act_on_complaint(case, ANSWERED, actor=shared_city.users["district"], reason="已付款并反馈")
        assert case.status == ANSWERED and case.kind == COMPLAINT.code
