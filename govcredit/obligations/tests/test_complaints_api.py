"""A supplier's complaint about non-payment through the JSON API (/api/obligations/complaints): the credit
office files it on the supplier's behalf, forwards it within 10 working days, the department answers within
30 days (extended to 90 at most); every forbidden step is refused — the wrong role 403, outside the caller's
scope 404, the wrong state 422 — and a refused step changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from govcredit.ledger.models import LedgerEntry
from govcredit.obligations.services import fulfil_obligation
from govcredit.testing import City, client_for, on_day
from govcredit.workflow.models import Case

from .helpers import add_obligations, owe

DAY = dt.date(2026, 11, 10)  # a Tuesday; + 10 working days = 24 November
BASE = "/api/obligations/complaints"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.time_machine(on_day(DAY))
class TestComplaintApi:
    def test_filed_forwarded_extended_answered_with_every_forbidden_step_refused(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob = shared_city.obligation
        credit, district = client_for(shared_city.users["credit"], token=True), client_for(shared_city.users["district"])
        submitter, personnel = client_for(shared_city.users["submitter"]), client_for(shared_city.users["personnel"])

        assert post(district, BASE, {"obligation_id": ob.pk, "text": "投诉"}).status_code == 403
        assert post(credit, BASE, {"obligation_id": ob.pk, "text": "  "}).status_code == 422
        filed = post(credit, BASE, {"obligation_id": ob.pk, "text": "来信投诉：家具款逾期三个月未付"})
        assert filed.status_code == 201, filed.content
        body = filed.json()
        assert body["status"] == "待转交" and body["reference"] == ob.reference
        assert body["due_on"] == "2026-11-24" and body["history"][0]["actor"] == "credit"
        url = f"{BASE}/{body['id']}"
        act = f"{url}/act"

        assert submitter.get(url).status_code == 404  # another department's complaint
        assert post(submitter, act, {"action": "answer", "reason": "越权"}).status_code == 404
        assert post(personnel, act, {"action": "forward", "reason": "越权"}).status_code == 403
        entries = LedgerEntry.objects.count()
        refused = post(district, act, {"action": "forward", "reason": "自行转交"})  # only the credit office forwards
        assert refused.status_code == 403
        wrong_state = post(credit, act, {"action": "answer", "reason": "未转交先反馈"})
        assert wrong_state.status_code == 422 and wrong_state.json()["detail"]
        assert post(credit, act, {"action": "nonsense", "reason": "x"}).status_code == 422
        assert post(district, act, {"action": "answer", "reason": "x"}).status_code == 422  # not forwarded yet
        assert LedgerEntry.objects.count() == entries, "a refused step must write nothing"

        forwarded = post(credit, act, {"action": "forward", "reason": "转交新街口街道办理"})
        assert forwarded.status_code == 200 and forwarded.json()["status"] == "处理中"
        assert forwarded.json()["due_on"] == "2026-12-10"  # 30 days from forwarding
        assert post(credit, act, {"action": "forward", "reason": "再次转交"}).status_code == 422
        assert post(credit, act, {"action": "decline", "reason": "已转交后不予受理"}).status_code == 422
        assert post(district, act, {"action": "extend", "reason": "需核对结算", "extend_days": 0}).status_code == 422
        assert post(district, act, {"action": "extend", "reason": "需核对结算", "extend_days": 61}).status_code == 422
        extended = post(district, act, {"action": "extend", "reason": "需核对结算", "extend_days": 60})
        assert extended.status_code == 200 and extended.json()["due_on"] == "2027-02-08"  # 90 days from forwarding
        assert post(district, act, {"action": "extend", "reason": "再延"}).status_code == 422  # extended once
        assert post(district, act, {"action": "answer", "reason": " "}).status_code == 422
        answered = post(district, act, {"action": "answer", "reason": "已付清并支付逾期利息"})
        assert answered.status_code == 200 and answered.json()["status"] == "已反馈" and answered.json()["closed"]
        assert [s["to_state"] for s in answered.json()["history"]] == ["待转交", "处理中", "延期处理", "已反馈"]
        assert post(credit, act, {"action": "answer", "reason": "再次反馈"}).status_code == 422

        listed = district.get(BASE).json()
        assert body["id"] in [row["id"] for row in listed["items"]]
        assert body["id"] not in [row["id"] for row in submitter.get(BASE).json()["items"]]

    def test_declined_by_the_credit_office_only(self, shared_city: City) -> None:
        add_obligations(shared_city)
        case = shared_city.complaint
        act = f"{BASE}/{case.pk}/act"
        district, credit = client_for(shared_city.users["district"]), client_for(shared_city.users["credit"])
        assert post(district, act, {"action": "decline", "reason": "不是本单位合同"}).status_code == 403
        declined = post(credit, act, {"action": "decline", "reason": "已通过诉讼解决"})
        assert declined.status_code == 200 and declined.json()["status"] == "已撤回"
        assert Case.objects.get(pk=case.pk).closed_at is not None

    def test_no_complaint_about_a_paid_obligation(self, shared_city: City) -> None:
        ob = owe(shared_city.orgs["xinjiekou"], DAY - dt.timedelta(days=5))
        fulfil_obligation(ob, actor="test", on=DAY)
        response = post(client_for(shared_city.users["credit"]), BASE, {"obligation_id": ob.pk, "text": "投诉"})
        assert response.status_code == 422

    def test_refusals_answer_in_english(self, shared_city: City) -> None:
        add_obligations(shared_city)
        act = f"{BASE}/{shared_city.complaint.pk}/act?lang=en"
        answer = post(client_for(shared_city.users["credit"]), act, {"action": "answer", "reason": "x"})
        assert answer.status_code == 422
        messages = " ".join(e["message"] for e in answer.json()["errors"])  # the field messages, not the summary
        assert "Answered" in messages and not any("\u4e00" <= ch <= "\u9fff" for ch in messages), answer.json()

    def test_supplier_files_with_reference_and_code_without_login(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob, code = shared_city.obligation, shared_city.obligation_code
        url = "/api/obligations/track/complaints"
        anonymous = Client()
        assert post(anonymous, url, {"reference": ob.reference, "code": "WRONG123", "text": "投诉"}).status_code == 404
        assert post(anonymous, url, {"reference": "没有-1", "code": code, "text": "投诉"}).status_code == 404
        assert post(anonymous, url, {"reference": ob.reference, "code": code, "text": " "}).status_code == 422
        filed = post(anonymous, url, {"reference": ob.reference, "code": code, "text": "货款逾期三个月未付"})
        assert filed.status_code == 201 and filed.json()["status"] == "待转交"
        assert filed.json()["due_on"] == "2026-11-24"  # 10 working days
        case = Case.objects.get(pk=filed.json()["id"])
        assert case.basis_id == ob.pk and case.debtor_org == shared_city.orgs["xinjiekou"]
        # the department sees it and waits for the credit office to forward it
        detail = client_for(shared_city.users["district"]).get(f"{BASE}/{case.pk}")
        assert detail.status_code == 200 and detail.json()["text"] == "货款逾期三个月未付"

    def test_public_filing_is_rate_limited(self, shared_city: City, settings: Any) -> None:
        add_obligations(shared_city)
        settings.GOVCREDIT_REMEDIES_RATE = "2/m"
        ob = shared_city.obligation
        url = "/api/obligations/track/complaints"
        statuses = [post(Client(), url, {"reference": ob.reference, "code": f"WRONG{i:03d}", "text": "x"}).status_code
                    for i in range(3)]
        assert statuses == [404, 404, 429]

    def test_the_generic_workflow_api_sends_the_steps_here(self, shared_city: City) -> None:
        add_obligations(shared_city)
        case = shared_city.complaint
        response = post(client_for(shared_city.users["credit"]), f"/api/workflow/cases/{case.pk}/transition",
                        {"to_state": "处理中", "reason": "转交"})
        assert response.status_code == 422
        assert "/api/obligations/complaints/" in response.json()["errors"][0]["message"]
        assert Case.objects.get(pk=case.pk).status == "待转交"
