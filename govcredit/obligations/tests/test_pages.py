"""The pages: lists in scope with amounts, the detail with interest and history, the credit office's decision
on a candidate, the ranking, last year's lists and the public follow-up page (masked, by reference and code)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.archive.models import CreditRecord
from govcredit.obligations.models import CandidateStatus
from govcredit.obligations.procurement import MilestoneSpec, register_contract
from govcredit.obligations.services import issue_query_code
from govcredit.testing import City, on_day
from govcredit.workflow.models import Case

from .helpers import add_obligations

DAY = dt.date(2026, 11, 10)


def client_of(city: City, role: str) -> Client:
    c = Client()
    c.force_login(city.users[role])
    return c


@pytest.mark.time_machine(on_day(DAY))
class TestPages:
    def test_district_sees_only_its_own_contracts(self, shared_city: City) -> None:
        add_obligations(shared_city)
        other = register_contract(number="秦-HT-9", name="秦淮区道路养护", buyer=shared_city.orgs["qinhuai"],
                                  supplier_name="南京路桥养护有限公司", supplier_is_sme=True, amount=Decimal("50000"),
                                  signed_on=DAY - dt.timedelta(days=60), milestones=[MilestoneSpec("全款", Decimal("50000"))],
                                  actor="test", delivered_on=DAY - dt.timedelta(days=50))
        other_ob = other.milestones.get().obligation
        assert other_ob is not None
        district = client_of(shared_city, "district")
        page = district.get(reverse("obligations:list")).content.decode()
        assert "矩阵-HT-1" in page and "秦-HT-9" not in page
        assert district.get(reverse("obligations:detail", args=[other_ob.pk])).status_code == 404
        credit = client_of(shared_city, "credit").get(reverse("obligations:list")).content.decode()
        assert "矩阵-HT-1" in credit and "秦-HT-9" in credit
        export = district.get(reverse("obligations:list") + "?format=xlsx")
        assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")

    def test_detail_shows_interest_and_history(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob = shared_city.obligation
        page = client_of(shared_city, "district").get(reverse("obligations:detail", args=[ob.pk])).content.decode()
        # delivered 90 days ago, due 30 days later (rolled to a working day), 0.05% a day on 80 000 = 40 a day
        days = (DAY - ob.due_on).days
        assert f"{Decimal(40 * days):.2f}" in page
        assert "obligation-history" in page and "已逾期" in page

    def test_credit_office_confirms_and_the_record_enters_the_archive(self, shared_city: City) -> None:
        add_obligations(shared_city)
        candidate = shared_city.candidate
        url = reverse("obligations:candidate", args=[candidate.pk])
        assert client_of(shared_city, "district").get(url).status_code == 403
        credit = client_of(shared_city, "credit")
        assert credit.post(url, {"act": "confirm", "severity": "一般", "reason": ""}).status_code == 200
        response = credit.post(url, {"act": "confirm", "severity": "一般", "include_person": "on",
                                     "reason": "逾期未支付中小企业款项，经核实"})
        assert response.status_code == 302
        candidate.refresh_from_db()
        assert candidate.status == CandidateStatus.CONFIRMED
        assert candidate.org_record_id is not None and candidate.person_record_id is not None
        assert CreditRecord.objects.filter(pk=candidate.org_record_id, subject_org=shared_city.orgs["xinjiekou"]).exists()
        assert CreditRecord.objects.filter(pk=candidate.person_record_id,
                                           subject_person=shared_city.people["xuanwu"]).exists()

    def test_ranking_and_lists(self, shared_city: City) -> None:
        add_obligations(shared_city)
        credit = client_of(shared_city, "credit")
        ranking = credit.get(reverse("obligations:ranking")).content.decode()
        assert "玄武区新街口街道办事处" in ranking
        assert client_of(shared_city, "district").get(reverse("obligations:ranking")).status_code == 403
        assert "玄武区新街口街道办事处" in credit.get(reverse("obligations:overdue_lists") + "?year=2026").content.decode()
        assert "玄武区新街口街道办事处" not in credit.get(reverse("obligations:overdue_lists") + "?year=2025").content.decode()
        assert credit.get(reverse("obligations:overdue_lists") + "?year=abc").status_code == 200

    def test_supplier_follows_its_own_case_by_reference_and_code(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob = shared_city.obligation
        url = reverse("obligations:track")
        public = Client()
        wrong = public.post(url, {"reference": ob.reference, "code": "WRONG123"}).content.decode()
        assert "track-result" not in wrong and "编号或查询码不正确" in wrong
        other = register_contract(number="秦-HT-8", name="秦淮区采购", buyer=shared_city.orgs["qinhuai"],
                                  supplier_name="张三", supplier_is_person=True, amount=Decimal("1000"),
                                  signed_on=DAY, milestones=[MilestoneSpec("全款", Decimal("1000"))], actor="test",
                                  delivered_on=DAY)
        other_ob = other.milestones.get().obligation
        assert other_ob is not None
        other_code = issue_query_code(other_ob, actor="test")
        # a valid code of another case does not open this one
        mixed = public.post(url, {"reference": ob.reference, "code": other_code}).content.decode()
        assert "track-result" not in mixed
        own = public.post(url, {"reference": other_ob.reference, "code": other_code}).content.decode()
        assert "track-result" in own and "张*" in own and "张三" not in own  # a natural person masked
        before = Case.objects.filter(kind="obligations.complaint", basis_id=ob.pk).count()  # the helper filed one
        filed = public.post(url, {"reference": ob.reference, "code": shared_city.obligation_code,
                                  "complaint": "货款逾期未付"})
        assert "track-filed" in filed.content.decode()
        assert Case.objects.filter(kind="obligations.complaint", basis_id=ob.pk).count() == before + 1


@pytest.mark.time_machine(on_day(DAY))
class TestApi:
    def test_list_detail_and_decision(self, shared_city: City) -> None:
        add_obligations(shared_city)
        ob, candidate = shared_city.obligation, shared_city.candidate
        district = client_of(shared_city, "district")
        listed = district.get("/api/obligations").json()
        assert [o["reference"] for o in listed["items"]] == [ob.reference]
        detail = district.get(f"/api/obligations/{ob.pk}").json()
        assert detail["status"] == "已逾期" and Decimal(str(detail["interest"])) > 0
        assert district.post(f"/api/obligations/candidates/{candidate.pk}/dismiss", {"reason": "x"},
                             content_type="application/json").status_code == 403
        credit = client_of(shared_city, "credit")
        assert credit.post(f"/api/obligations/candidates/{candidate.pk}/confirm", {"severity": "一般"},
                           content_type="application/json").status_code == 422
        answer = credit.post(f"/api/obligations/candidates/{candidate.pk}/dismiss",
                             {"reason": "供应商迟延交付发票，逾期非采购人原因"}, content_type="application/json")
        assert answer.status_code == 200 and answer.json()["status"] == "已驳回"
        again = credit.post(f"/api/obligations/candidates/{candidate.pk}/confirm",
                            {"severity": "一般", "reason": "再确认"}, content_type="application/json")
        assert again.status_code == 409
