"""The contract pages of a buying department's data officer (数据报送单位): register a contract, record
delivery, inspection (passed, or delayed by the buyer), a confirmed settlement, an invoice and payments, and
see the due dates and interest recomputed — in scope only, every change a ledger entry — and the complaint
pages (filed by the credit office on a supplier's behalf, forwarded, answered; a forbidden step refused)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from govcredit.core.errors import DomainError
from govcredit.ledger.models import LedgerEntry
from govcredit.obligations.entry import record_inspection_delay
from govcredit.obligations.models import Contract, MilestoneRule, ObligationStatus
from govcredit.obligations.procurement import MilestoneSpec, record_delivery, register_contract
from govcredit.testing import City, on_day
from govcredit.workflow.models import Case

from .helpers import add_obligations

DAY = dt.date(2026, 11, 10)


def client_of(city: City, role: str) -> Client:
    c = Client()
    c.force_login(city.users[role])
    return c


def contract_form(city: City, **extra: Any) -> dict[str, Any]:
    return {"buyer": city.orgs["scjg"].pk, "number": "市监-HT-2026-01", "name": "执法记录仪采购",
            "supplier_name": "南京安视电子有限公司", "supplier_code": "", "supplier_is_sme": "on",
            "amount": "100000", "signed_on": "2026-08-01", "payment_days": "30", "m1_label": "全款",
            "m1_amount": "100000", "m1_rule": MilestoneRule.DELIVERY.value, **extra}


@pytest.mark.time_machine(on_day(DAY))
class TestContractPages:
    def test_data_officer_registers_delivers_invoices_pays_and_sees_due_date_and_interest(self, shared_city: City) -> None:
        officer = client_of(shared_city, "submitter")  # 市场监督管理局's data officer
        assert officer.get(reverse("obligations:contract_create")).status_code == 200
        response = officer.post(reverse("obligations:contract_create"), contract_form(shared_city))
        assert response.status_code == 302, response.content.decode()[:2000]
        contract = Contract.objects.get(number="市监-HT-2026-01")
        assert contract.buyer == shared_city.orgs["scjg"]
        m = contract.milestones.get()
        assert m.due_on is None and m.obligation is None  # not delivered: nothing counts yet
        entries = LedgerEntry.objects.count()

        # delivered on 1 September: 30 days end on 1 October, in the National Day holiday → 8 October
        url = reverse("obligations:contract_delivery", args=[contract.pk])
        assert officer.post(url, {"delivered_on": "2026-09-01"}).status_code == 302
        m.refresh_from_db()
        assert m.due_on == dt.date(2026, 10, 8) and m.obligation is not None
        assert m.obligation.due_on == dt.date(2026, 10, 8)
        assert LedgerEntry.objects.count() > entries
        page = officer.get(reverse("obligations:contract", args=[contract.pk])).content.decode()
        assert "2026-10-08" in page
        assert '<td class="interest">1650.00</td>' in page  # 33 days × 0.05% × 100 000

        invoice = officer.post(reverse("obligations:contract_invoice", args=[contract.pk]),
                               {"number": "32000001", "amount": "100000", "issued_on": "2026-09-02"})
        assert invoice.status_code == 302 and contract.invoices.get().number == "32000001"
        again = officer.post(reverse("obligations:contract_invoice", args=[contract.pk]),
                             {"number": "32000001", "amount": "100000", "issued_on": "2026-09-02"})
        assert again.status_code == 200 and "32000001" in again.content.decode() and contract.invoices.count() == 1

        pay = reverse("obligations:contract_payment", args=[contract.pk])
        assert officer.post(pay, {"milestone": m.pk, "amount": "40000", "paid_on": "2026-10-20",
                                  "voucher": "付-1"}).status_code == 302
        page = officer.get(reverse("obligations:contract", args=[contract.pk])).content.decode()
        # 11 days on 100 000 (9–19 Oct), then 22 days on 60 000 (20 Oct – 10 Nov)
        assert '<td class="interest">1210.00</td>' in page
        too_much = officer.post(pay, {"milestone": m.pk, "amount": "60000.01", "paid_on": "2026-11-10"})
        assert too_much.status_code == 200 and "60000" in too_much.content.decode()
        assert officer.post(pay, {"milestone": m.pk, "amount": "60000", "paid_on": "2026-11-10"}).status_code == 302
        m.refresh_from_db()
        assert m.paid_on == DAY and m.obligation is not None
        m.obligation.refresh_from_db()
        assert m.obligation.status == ObligationStatus.FULFILLED

    def test_scope_a_department_registers_and_sees_only_its_own(self, shared_city: City) -> None:
        add_obligations(shared_city)
        xinjiekou_contract = shared_city.contract
        officer = client_of(shared_city, "submitter")
        refused = officer.post(reverse("obligations:contract_create"),
                               contract_form(shared_city, buyer=shared_city.orgs["xinjiekou"].pk))
        assert refused.status_code == 200 and not Contract.objects.filter(number="市监-HT-2026-01").exists()
        assert "矩阵-HT-1" not in officer.get(reverse("obligations:contracts")).content.decode()
        assert officer.get(reverse("obligations:contract", args=[xinjiekou_contract.pk])).status_code == 404
        assert officer.post(reverse("obligations:contract_delivery", args=[xinjiekou_contract.pk]),
                            {"delivered_on": "2026-09-01"}).status_code == 404
        district = client_of(shared_city, "district")  # 玄武区 and its street offices
        assert "矩阵-HT-1" in district.get(reverse("obligations:contracts")).content.decode()
        assert district.get(reverse("obligations:contract", args=[xinjiekou_contract.pk])).status_code == 200
        credit = client_of(shared_city, "credit")
        assert "矩阵-HT-1" in credit.get(reverse("obligations:contracts")).content.decode()
        subject = client_of(shared_city, "subject")
        assert subject.get(reverse("obligations:contract_create")).status_code == 403

    def test_sme_payment_period_over_60_days_refused_on_the_page(self, shared_city: City) -> None:
        response = client_of(shared_city, "submitter").post(reverse("obligations:contract_create"),
                                                            contract_form(shared_city, payment_days="90"))
        assert response.status_code == 200 and "60" in response.content.decode()
        assert not Contract.objects.filter(number="市监-HT-2026-01").exists()

    def test_inspection_delayed_by_the_buyer_counts_from_the_end_of_the_period(self, shared_city: City) -> None:
        with time_machine.travel(on_day(dt.date(2026, 8, 25)), tick=False):  # entered while the period ran
            contract = register_contract(
                number="市监-HT-验收", name="检测设备", buyer=shared_city.orgs["scjg"], supplier_name="南京精测仪器有限公司",
                supplier_is_sme=True, amount=Decimal("50000"), signed_on=dt.date(2026, 8, 1), inspection_days=10,
                milestones=[MilestoneSpec("验收款", Decimal("50000"), MilestoneRule.INSPECTION.value)], actor="test",
                delivered_on=dt.date(2026, 8, 20))
        m = contract.milestones.get()
        assert m.due_on is None  # the buyer has not inspected; nothing counts until the delay is recorded
        officer = client_of(shared_city, "submitter")
        page = officer.get(reverse("obligations:contract", args=[contract.pk])).content.decode()
        assert 'id="delay-form"' in page and "2026-08-30" in page
        assert officer.post(reverse("obligations:contract_delay", args=[contract.pk]), {"reason": ""}).status_code == 302
        m.refresh_from_db()
        assert m.due_on == dt.date(2026, 9, 29)  # 30 August + 30 days
        # passing inspection later does not move it past the end of the agreed period
        record_delivery(contract, accepted_on=dt.date(2026, 10, 15), actor="test")
        m.refresh_from_db()
        assert m.due_on == dt.date(2026, 9, 29)
        with pytest.raises(DomainError):
            record_inspection_delay(contract, actor="test")  # inspection passed

    def test_inspection_delay_refused_while_the_period_runs(self, shared_city: City) -> None:
        contract = register_contract(
            number="市监-HT-验收2", name="检测设备", buyer=shared_city.orgs["scjg"], supplier_name="南京精测仪器有限公司",
            amount=Decimal("50000"), signed_on=dt.date(2026, 10, 1), inspection_days=30,
            milestones=[MilestoneSpec("验收款", Decimal("50000"), MilestoneRule.INSPECTION.value)], actor="test",
            delivered_on=dt.date(2026, 11, 1))
        response = client_of(shared_city, "submitter").post(reverse("obligations:contract_delay", args=[contract.pk]))
        assert response.status_code == 200 and "2026-12-01" in response.content.decode()
        assert contract.milestones.get().due_on is None

    def test_confirmed_settlement_starts_the_period(self, shared_city: City) -> None:
        contract = register_contract(
            number="市监-HT-结算", name="物业服务", buyer=shared_city.orgs["scjg"], supplier_name="南京安居物业有限公司",
            supplier_is_sme=True, amount=Decimal("120000"), signed_on=dt.date(2026, 1, 5),
            milestones=[MilestoneSpec("第三季度", Decimal("30000"), MilestoneRule.SETTLEMENT.value),
                        MilestoneSpec("第四季度", Decimal("30000"), MilestoneRule.SETTLEMENT.value)], actor="test")
        q3 = contract.milestones.get(seq=1)
        officer = client_of(shared_city, "submitter")
        response = officer.post(reverse("obligations:contract_settlement", args=[contract.pk]),
                                {"milestone": q3.pk, "settled_on": "2026-09-25", "amount": "29500", "reason": "双方确认"})
        assert response.status_code == 302
        q3.refresh_from_db()
        assert q3.due_on == dt.date(2026, 10, 26) and q3.amount == Decimal("29500")
        assert contract.milestones.get(seq=2).due_on is None
        future = officer.post(reverse("obligations:contract_settlement", args=[contract.pk]),
                              {"milestone": contract.milestones.get(seq=2).pk, "settled_on": "2026-12-25"})
        assert future.status_code == 200 and contract.milestones.get(seq=2).due_on is None

    def test_english_contract_page(self, shared_city: City) -> None:
        add_obligations(shared_city)
        page = client_of(shared_city, "district").get(
            "/en" + reverse("obligations:contract", args=[shared_city.contract.pk]))
        html = page.content.decode()
        assert page.status_code == 200 and "Record payment" in html and "Payment milestone" in html


@pytest.mark.time_machine(on_day(DAY))
class TestComplaintPages:
    def test_credit_office_files_forwards_and_the_department_answers(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob = shared_city.obligation
        district, credit = client_of(shared_city, "district"), client_of(shared_city, "credit")
        assert district.get(reverse("obligations:complaint_create")).status_code == 403
        response = credit.post(reverse("obligations:complaint_create"), {"reference": ob.reference,
                                                                          "text": "电话投诉：家具款逾期未付"})
        assert response.status_code == 302
        case = Case.objects.filter(basis_id=ob.pk, kind="obligations.complaint").latest("pk")
        assert case.status == "待转交" and case.events.get().actor == shared_city.users["credit"]
        url = reverse("obligations:complaint", args=[case.pk])
        assert 'id="complaint-act"' not in district.get(url).content.decode()  # the department waits
        assert district.post(url, {"action": "forward", "reason": "自行转交"}).status_code == 403
        assert credit.post(url, {"action": "forward", "reason": "转交新街口街道办理"}).status_code == 302
        case.refresh_from_db()
        assert case.status == "处理中" and case.due_on == DAY + dt.timedelta(days=30)
        assert district.post(url, {"action": "answer", "reason": ""}).status_code == 200  # a reason is required
        assert district.post(url, {"action": "answer", "reason": "已于11月12日付清并支付利息"}).status_code == 302
        case.refresh_from_db()
        assert case.status == "已反馈" and case.closed_at is not None
        assert district.post(url, {"action": "answer", "reason": "再次反馈"}).status_code == 403  # closed
        listing = district.get(reverse("obligations:complaints") + "?show=all").content.decode()
        assert f"#{case.pk}" in listing
        assert f"#{case.pk}" not in client_of(shared_city, "submitter").get(
            reverse("obligations:complaints") + "?show=all").content.decode()

    def test_filing_refused_for_an_unknown_reference(self, shared_city: City) -> None:
        response = client_of(shared_city, "credit").post(reverse("obligations:complaint_create"),
                                                         {"reference": "没有-1", "text": "投诉"})
        assert response.status_code == 200 and not Case.objects.filter(kind="obligations.complaint").exists()
