"""Procurement contracts through the JSON API (/api/obligations/contracts): a buying department's data officer
registers a contract with its payment milestones and enters what follows — delivery and inspection, a delayed
inspection, a confirmed settlement, invoices, payments — through the services the contract pages call, and
reads the due dates and interest to today. Same roles and scope as the pages: the wrong role 403, another
department's contract 404, a step the contract's state does not allow 422 with the Chinese message, invalid
input 422; a refused step writes nothing to the ledger."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from govcredit.ledger.models import LedgerEntry
from govcredit.obligations.models import Contract, MilestoneRule
from govcredit.obligations.procurement import MilestoneSpec, register_contract
from govcredit.testing import City, client_for, on_day

from .helpers import add_obligations

DAY = dt.date(2026, 11, 10)
BASE = "/api/obligations/contracts"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def contract_body(city: City, **extra: Any) -> dict[str, Any]:
    return {"buyer_id": city.orgs["scjg"].pk, "number": "市监-HT-2026-01", "name": "执法记录仪采购",
            "supplier_name": "南京安视电子有限公司", "supplier_is_sme": True, "amount": "100000",
            "signed_on": "2026-08-01", "payment_days": 30,
            "milestones": [{"label": "全款", "amount": "100000", "rule": "交付"}], **extra}


def messages(response: Any) -> str:
    return " ".join([response.json()["detail"], *(e["message"] for e in response.json().get("errors", []))])


def inspected(city: City, number: str, *, delivered: dt.date, inspection_days: int, on: dt.date) -> Contract:
    with time_machine.travel(on_day(on), tick=False):
        return register_contract(
            number=number, name="检测设备", buyer=city.orgs["scjg"], supplier_name="南京精测仪器有限公司",
            supplier_is_sme=True, amount=Decimal("80000"), signed_on=dt.date(2026, 8, 1), inspection_days=inspection_days,
            milestones=[MilestoneSpec("验收款", Decimal("50000"), MilestoneRule.INSPECTION.value),
                        MilestoneSpec("结算款", Decimal("30000"), MilestoneRule.SETTLEMENT.value)],
            actor="test", delivered_on=delivered)


@pytest.mark.time_machine(on_day(DAY))
class TestContractApi:
    def test_registered_delivered_invoiced_paid_with_due_dates_interest_and_ledger(self, shared_city: City) -> None:
        officer = client_for(shared_city.users["submitter"], token=True)  # 市场监督管理局's data officer
        user = shared_city.users["submitter"]
        created = post(officer, BASE, contract_body(shared_city))
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["buyer"] == shared_city.orgs["scjg"].name and body["supplier_is_sme"] is True
        assert [(m["seq"], m["label"], m["rule"], m["due_on"], m["obligation_id"]) for m in body["milestones"]] == [
            (1, "全款", "交付", None, None)]  # not delivered: nothing counts yet
        contract = Contract.objects.get(number="市监-HT-2026-01")
        assert body["id"] == contract.pk and contract.buyer == shared_city.orgs["scjg"]
        assert [e.action for e in LedgerEntry.objects.filter(actor_user=user).order_by("seq")] == [
            "procurement.contract.register", "procurement.milestone.register"]
        url = f"{BASE}/{contract.pk}"
        assert officer.get(url).json() == body

        # delivered on 1 September: 30 days end on 1 October, in the National Day holiday → 8 October
        before = LedgerEntry.objects.count()
        delivered = post(officer, f"{url}/delivery", {"delivered_on": "2026-09-01", "reason": "  到货  "})
        assert delivered.status_code == 200, delivered.content
        m = delivered.json()["milestones"][0]
        assert m["period_start"] == "2026-09-01" and m["due_on"] == "2026-10-08"
        assert m["obligation_status"] == "已逾期" and m["obligation_id"] is not None
        assert Decimal(m["interest"]) == Decimal("1650.00")  # 33 days × 0.05% × 100 000, as the page shows
        assert Decimal(delivered.json()["total_interest"]) == Decimal("1650.00")
        assert delivered.json()["delivered_on"] == "2026-09-01" and delivered.json()["next_due"] == "2026-10-08"
        written = LedgerEntry.objects.filter(seq__gt=before).order_by("seq")
        assert [(e.action, e.actor_user_id, e.reason) for e in written] == [
            ("procurement.contract.change", user.pk, "到货"), ("obligation.register", user.pk, "到货"),
            ("procurement.milestone.change", user.pk, "到货")]

        invoice = post(officer, f"{url}/invoices", {"number": "32000001", "amount": "100000", "issued_on": "2026-09-02"})
        assert invoice.status_code == 200 and [i["number"] for i in invoice.json()["invoices"]] == ["32000001"]
        entries = LedgerEntry.objects.count()
        again = post(officer, f"{url}/invoices", {"number": "32000001", "amount": "100000", "issued_on": "2026-09-02"})
        assert again.status_code == 409 and "32000001" in again.json()["detail"]
        assert LedgerEntry.objects.count() == entries

        pay = f"{url}/payments"
        milestone_id = m["id"]
        paid = post(officer, pay, {"milestone_id": milestone_id, "amount": "40000", "paid_on": "2026-10-20",
                                   "voucher": "付-1"})
        assert paid.status_code == 200
        # 11 days on 100 000 (9–19 Oct), then 22 days on 60 000 (20 Oct – 10 Nov)
        assert Decimal(paid.json()["milestones"][0]["interest"]) == Decimal("1210.00")
        assert [(p["amount"], p["voucher"]) for p in paid.json()["payments"]] == [("40000.00", "付-1")]
        too_much = post(officer, pay, {"milestone_id": milestone_id, "amount": "60000.01", "paid_on": "2026-11-10"})
        assert too_much.status_code == 422 and "付款金额超过该节点未付金额 60000.00 元" in messages(too_much)
        future = post(officer, pay, {"milestone_id": milestone_id, "amount": "1", "paid_on": "2026-11-11"})
        assert future.status_code == 422 and "支付日期不能晚于今天" in messages(future)
        # the payment, its milestone and the obligation's amount left; the refusals nothing
        assert LedgerEntry.objects.count() == entries + 3
        rest = post(officer, pay, {"milestone_id": milestone_id, "amount": "60000", "paid_on": "2026-11-10"})
        m = rest.json()["milestones"][0]
        assert rest.status_code == 200 and m["paid_on"] == "2026-11-10" and m["obligation_status"] == "已履行"
        assert rest.json()["next_due"] is None
        paid_off = post(officer, pay, {"milestone_id": milestone_id, "amount": "1", "paid_on": "2026-11-10"})
        assert paid_off.status_code == 422 and paid_off.json()["errors"][0]["field"] == "milestone_id"

    def test_inspection_delay_and_settlement(self, shared_city: City) -> None:
        officer = client_for(shared_city.users["submitter"])
        # entered while the inspection period (ended 30 August) ran: nothing counted then
        contract = inspected(shared_city, "市监-HT-验收", delivered=dt.date(2026, 8, 20), inspection_days=10,
                             on=dt.date(2026, 8, 25))
        url = f"{BASE}/{contract.pk}"
        detail = officer.get(url).json()
        assert detail["inspection_deadline"] == "2026-08-30" and detail["milestones"][0]["due_on"] is None
        assert detail["milestones"][0]["period_start"] == "2026-08-30"  # the rule knows; the due date waits
        before = LedgerEntry.objects.count()
        delayed = post(officer, f"{url}/inspection-delay", {})
        assert delayed.status_code == 200
        assert delayed.json()["milestones"][0]["due_on"] == "2026-09-29"  # 30 August + 30 days
        assert [(e.action, e.reason) for e in LedgerEntry.objects.filter(seq__gt=before).order_by("seq")] == [
            ("obligation.register", "采购人未在约定期限内检验验收，付款期限自约定验收期限届满之日起算"),
            ("procurement.milestone.change", "采购人未在约定期限内检验验收，付款期限自约定验收期限届满之日起算")]
        accepted = post(officer, f"{url}/delivery", {"accepted_on": "2026-10-15"})
        assert accepted.status_code == 200 and accepted.json()["milestones"][0]["due_on"] == "2026-09-29"
        entries = LedgerEntry.objects.count()
        refused = post(officer, f"{url}/inspection-delay", {"reason": "再次认定"})
        assert refused.status_code == 422 and "检验验收已合格" in messages(refused)
        early = post(officer, f"{url}/delivery", {"delivered_on": "2026-10-20", "accepted_on": "2026-10-16"})
        assert early.status_code == 422 and "验收日期不能早于交付日期" in messages(early)

        settlement = detail["milestones"][1]
        settle = f"{url}/settlement"
        wrong_rule = post(officer, settle, {"milestone_id": detail["milestones"][0]["id"], "settled_on": "2026-09-25"})
        assert wrong_rule.status_code == 422 and "该付款节点不按结算确认起算" in messages(wrong_rule)
        future = post(officer, settle, {"milestone_id": settlement["id"], "settled_on": "2026-12-25"})
        assert future.status_code == 422 and "日期不能晚于今天" in messages(future)
        assert LedgerEntry.objects.count() == entries
        settled = post(officer, settle, {"milestone_id": settlement["id"], "settled_on": "2026-09-25",
                                         "amount": "29500", "reason": "双方确认"})
        assert settled.status_code == 200
        m = settled.json()["milestones"][1]
        assert (m["settled_on"], m["due_on"], m["amount"]) == ("2026-09-25", "2026-10-26", "29500.00")

    def test_inspection_delay_refused_while_the_period_runs(self, shared_city: City) -> None:
        contract = inspected(shared_city, "市监-HT-验收2", delivered=dt.date(2026, 11, 1), inspection_days=30, on=DAY)
        entries = LedgerEntry.objects.count()
        response = post(client_for(shared_city.users["submitter"]), f"{BASE}/{contract.pk}/inspection-delay", {})
        assert response.status_code == 422 and "约定的检验验收期限至 2026-12-01 届满，尚未拖延" in messages(response)
        assert LedgerEntry.objects.count() == entries and contract.milestones.get(seq=1).due_on is None

    def test_scope_and_roles(self, shared_city: City) -> None:
        add_obligations(shared_city)
        other = shared_city.contract  # 新街口街道 (玄武区)'s contract
        url = f"{BASE}/{other.pk}"
        officer = client_for(shared_city.users["submitter"])
        district, credit = client_for(shared_city.users["district"]), client_for(shared_city.users["credit"], token=True)
        subject, personnel = client_for(shared_city.users["subject"]), client_for(shared_city.users["personnel"])
        entries = LedgerEntry.objects.count()

        assert other.number not in [c["number"] for c in officer.get(BASE).json()["items"]]
        assert officer.get(url).status_code == 404
        for step, body in (("delivery", {"delivered_on": "2026-09-01"}), ("inspection-delay", {}),
                           ("invoices", {"number": "1", "amount": "1", "issued_on": "2026-09-01"}),
                           ("payments", {"milestone_id": other.milestones.get().pk, "amount": "1",
                                         "paid_on": "2026-11-01"}),
                           ("settlement", {"milestone_id": other.milestones.get().pk, "settled_on": "2026-11-01"})):
            assert post(officer, f"{url}/{step}", body).status_code == 404, step
            assert post(subject, f"{url}/{step}", body).status_code == 403, step  # reads, never enters
            assert post(personnel, f"{url}/{step}", body).status_code == 403, step
        refused = post(officer, BASE, contract_body(shared_city, buyer_id=shared_city.orgs["xinjiekou"].pk))
        assert refused.status_code == 404
        assert post(subject, BASE, contract_body(shared_city)).status_code == 403
        assert personnel.get(BASE).status_code == 403 and personnel.get(url).status_code == 403
        assert subject.get(BASE).status_code == 200
        assert LedgerEntry.objects.count() == entries and not Contract.objects.filter(number="市监-HT-2026-01").exists()

        listed = district.get(BASE).json()
        assert other.number in [c["number"] for c in listed["items"]]
        assert listed["count"] == len(listed["items"]) and listed["page"] == 1
        assert district.get(url).json()["number"] == other.number
        row = next(c for c in credit.get(f"{BASE}?q=矩阵").json()["items"] if c["id"] == other.pk)
        assert row["buyer"] == shared_city.orgs["xinjiekou"].name and row["next_due"] is not None
        assert credit.get(f"{BASE}?q=没有这样的合同").json()["items"] == []
        # the district enters for its street office; the credit office for anyone
        assert post(district, f"{url}/invoices", {"number": "A-1", "amount": "10", "issued_on": "2026-11-01"}).status_code == 200
        created = post(credit, BASE, contract_body(shared_city, buyer_id=shared_city.orgs["xinjiekou"].pk))
        assert created.status_code == 201 and created.json()["buyer_id"] == shared_city.orgs["xinjiekou"].pk

    def test_paged_like_the_other_lists(self, shared_city: City) -> None:
        officer = client_for(shared_city.users["submitter"])
        for i in range(3):
            assert post(officer, BASE, contract_body(shared_city, number=f"市监-页-{i}",
                                                     signed_on=f"2026-08-0{i + 1}")).status_code == 201
        page = officer.get(f"{BASE}?page_size=2&page=2").json()
        assert page["count"] == 3 and page["page_size"] == 2 and [c["number"] for c in page["items"]] == ["市监-页-0"]
        assert officer.get(f"{BASE}?page_size=1000").status_code == 422

    def test_invalid_input_answers_422_and_writes_nothing(self, shared_city: City) -> None:
        officer = client_for(shared_city.users["submitter"])
        entries = LedgerEntry.objects.count()
        cases: list[tuple[dict[str, Any], str, str]] = [
            (contract_body(shared_city, milestones=[]), "milestones", ""),
            (contract_body(shared_city, amount="0"), "amount", ""),
            (contract_body(shared_city, number="   "), "number", "不能为空"),
            (contract_body(shared_city, signed_on="2026-02-30"), "signed_on", ""),
            (contract_body(shared_city, milestones=[{"label": "全款", "amount": "100", "rule": "随便"}]),
             "milestones.0.rule", "应为以下之一"),
            (contract_body(shared_city, payment_days=90), "payment_days", "最长不得超过 60 日"),
            (contract_body(shared_city, milestones=[{"label": "一", "amount": "60000"}, {"label": "二", "amount": "40001"}]),
             "milestones", "付款节点金额合计超过合同金额"),
        ]
        for body, field, message in cases:
            response = post(officer, BASE, body)
            assert response.status_code == 422, (field, response.content)
            assert field in [e["field"] for e in response.json()["errors"]], (field, response.json())
            assert message in messages(response), (field, response.json())
        assert post(officer, BASE, contract_body(shared_city)).status_code == 201
        entries = LedgerEntry.objects.count()
        assert post(officer, BASE, contract_body(shared_city)).status_code == 409  # the number is registered
        url = f"{BASE}/{Contract.objects.get(number='市监-HT-2026-01').pk}"
        nothing = post(officer, f"{url}/delivery", {"reason": "未填日期"})
        assert nothing.status_code == 422 and "请填写交付日期或检验验收合格日期" in messages(nothing)
        future = post(officer, f"{url}/delivery", {"delivered_on": "2026-11-11"})
        assert future.status_code == 422 and "日期不能晚于今天" in messages(future)
        assert post(officer, f"{url}/invoices", {"number": " ", "amount": "1", "issued_on": "2026-11-01"}).status_code == 422
        late = post(officer, f"{url}/invoices", {"number": "32000009", "amount": "1", "issued_on": "2026-11-11"})
        assert late.status_code == 422 and "开票日期不能晚于今天" in messages(late)
        assert post(officer, f"{url}/payments", {"milestone_id": 2**70, "amount": "1", "paid_on": "2026-11-01"}).status_code == 422
        assert officer.get(f"{BASE}/{2**70}").status_code == 404
        assert LedgerEntry.objects.count() == entries

    def test_refusal_in_english(self, shared_city: City) -> None:
        officer = client_for(shared_city.users["submitter"])
        assert post(officer, BASE, contract_body(shared_city)).status_code == 201
        url = f"{BASE}/{Contract.objects.get(number='市监-HT-2026-01').pk}/payments?lang=en"
        response = post(officer, url, {"milestone_id": 1 + 10**9, "amount": "1", "paid_on": "2026-11-01"})
        assert response.status_code == 422
        text = messages(response)
        assert "milestone" in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_in_the_generated_openapi_with_chinese_descriptions(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths[BASE]) == {"get", "post"} and set(paths[f"{BASE}/{{contract_id}}"]) == {"get"}
    for step in ("delivery", "inspection-delay", "settlement", "invoices", "payments"):
        assert set(paths[f"{BASE}/{{contract_id}}/{step}"]) == {"post"}, step
    assert paths[BASE]["post"]["summary"] == "登记采购合同"
    fields = schema["components"]["schemas"]["ContractIn"]["properties"]
    assert fields["buyer_id"]["description"].startswith("采购单位编号")
    assert schema["components"]["schemas"]["MilestoneOut"]["properties"]["interest"]["description"] == "逾期利息（元，计至今日）"
