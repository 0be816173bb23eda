"""The rules of PPP duties and investment promises: lawful change only, turnover, trace-back, scope, the
public page, and a ledger entry for every state change."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.accounts.models import User
from govcredit.commitments import link, services
from govcredit.commitments.filters import filter_promises
from govcredit.commitments.models import DutyStatus, Promise, PromiseChange, PromiseStatus, Stage
from govcredit.commitments.selectors import across_turnover, visible_projects, visible_promises
from govcredit.core import clock
from govcredit.core.errors import Conflict
from govcredit.ledger.models import LedgerEntry
from govcredit.subjects.models import ServantStatus
from govcredit.subjects.services import change_post
from govcredit.testing import City, on_day

from .helpers import COMPANY, add_commitments, add_head, duty, project, promise

DAY = dt.date(2026, 9, 1)
pytestmark = [pytest.mark.time_machine(on_day(DAY))]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _entries(action: str) -> int:
    return LedgerEntry.objects.filter(action=action).count()


class TestLawfulChange:
    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        return shared_city

    @pytest.mark.parametrize("missing", ["legal_basis", "procedure", "reason"])
    def test_refused_without_basis_procedure_or_reason(self, city: City, missing: str) -> None:
        promise: Promise = city.promise
        given = {"legal_basis": "《优化营商环境条例》第三十一条", "procedure": "区政府常务会议纪要〔2026〕9号",
                 "reason": "上位规划调整", missing: "  "}
        before = LedgerEntry.objects.count()
        with pytest.raises(services.CommitmentError) as refused:
            services.change_promise(promise, decided_on=DAY, new_due_on=DAY + dt.timedelta(days=200),
                                    actor=city.users["district"], legal_basis=given["legal_basis"],
                                    procedure=given["procedure"], reason=given["reason"])
        assert refused.value.field == missing
        promise.refresh_from_db()
        assert promise.status == PromiseStatus.OPEN and promise.due_on == DAY + dt.timedelta(days=60)
        assert LedgerEntry.objects.count() == before and not PromiseChange.objects.exists()

    def test_refused_through_the_api_and_the_page(self, city: City) -> None:
        promise: Promise = city.promise
        client = _client(city.users["district"])
        answer = client.post(f"/api/commitments/promises/{promise.pk}/change",
                             {"procedure": "会议纪要", "reason": "换届后新领导不同意", "decided_on": DAY.isoformat(),
                              "new_due_on": "2027-06-01"}, content_type="application/json")
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "legal_basis"
        page = client.post(reverse("commitments:promise_change", args=[promise.pk]),
                           {"legal_basis": "有依据", "reason": "x", "decided_on": DAY.isoformat(),
                            "new_due_on": "2027-06-01"})
        assert page.status_code == 200 and "请填写履行的程序" in page.content.decode()
        promise.refresh_from_db()
        assert promise.due_on == DAY + dt.timedelta(days=60)

    def test_lawful_change_keeps_old_terms_and_compensation(self, city: City) -> None:
        promise: Promise = city.promise
        client = _client(city.users["district"])
        answer = client.post(f"/api/commitments/promises/{promise.pk}/change",
                             {"legal_basis": "《优化营商环境条例》第三十一条", "procedure": "区政府常务会议纪要〔2026〕9号",
                              "reason": "上位规划调整", "decided_on": DAY.isoformat(), "new_due_on": "2027-03-01",
                              "new_amount": "250"}, content_type="application/json")
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "已依法变更" and answer.json()["due_on"] == "2027-03-01"
        change = PromiseChange.objects.get(promise=promise)
        assert change.old_due_on == DAY + dt.timedelta(days=60) and change.old_amount == Decimal(300)
        response = client.post(reverse("commitments:promise_compensation", args=[promise.pk]),
                               {"amount": "50", "description": "减少的扶持资金补偿", "paid_on": DAY.isoformat(),
                                "change": change.pk})
        assert response.status_code == 302
        assert promise.compensations.get().change == change


class TestTurnoverAndTraceBack:
    """The 区长 who made the promise moves on; the promise stays with the district, and its breach and the
    overdue duty name him as the person responsible at the time."""

    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        city = shared_city
        head = city.people["xuanwu_head"]
        self_made = promise(city, "xuanwu", DAY - dt.timedelta(days=300), DAY - dt.timedelta(days=15),
                            investor="钱投资", investor_code="")
        city.old_promise = self_made.promise
        city.old_duty = duty(city.project, DAY - dt.timedelta(days=20))
        change_post(head, employer=city.orgs["city"], post="市政府副秘书长", rank="正处级",
                    status=ServantStatus.TRANSFERRED, effective=DAY - dt.timedelta(days=10), actor="test", reason="换届")
        add_head(city, "successor", "孙继任", "xuanwu", DAY - dt.timedelta(days=10), 902)
        return city

    def test_promises_stay_with_the_organisation(self, city: City) -> None:
        old: Promise = city.old_promise
        old.refresh_from_db()
        assert old.org == city.orgs["xuanwu"] and old.status == PromiseStatus.OPEN
        across = across_turnover(visible_promises(city.users["district"]), clock.today())
        numbers = {p.number: p for p in across}
        assert old.number in numbers and city.promise.number in numbers
        assert numbers[old.number].maker == "赵玄武" and numbers[old.number].holder == "孙继任"  # type: ignore[attr-defined]  # maker, holder: annotations of with_holders
        # a promise made under the successor is not "across the turnover"
        fresh = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=30)).promise
        assert fresh.number not in {p.number for p in across_turnover(Promise.objects.all(), clock.today())}
        page = _client(city.users["district"]).get(reverse("commitments:promise_list") + "?turnover=on")
        assert old.number in page.content.decode() and fresh.number not in page.content.decode()
        home = _client(city.users["district"]).get(reverse("core:home")).content.decode()
        assert re.search(r'id="home-promises-turnover"[^>]*>\s*2\s*<', home), home[:3000]

    def test_trace_back_names_the_person_at_the_due_date(self, city: City) -> None:
        old_duty = city.old_duty
        at_due = services.duty_responsible(old_duty)
        assert [h.person.name for h in at_due] == ["赵玄武"] and at_due[0].moved_on(clock.today())
        assert [h.person.name for h in services.duty_responsible(old_duty, clock.today())] == ["孙继任"]
        html = _client(city.users["district"]).get(reverse("commitments:duty_detail", args=[old_duty.pk])).content.decode()
        trace = html.split('id="trace-at-due"')[1].split("</dd>")[0]
        assert "赵玄武" in trace and "已离任" in trace
        old: Promise = city.old_promise
        assert [h.person.name for h in services.promise_responsible(old)] == ["赵玄武"]
        html = _client(city.users["credit"]).get(reverse("commitments:promise_detail", args=[old.pk])).content.decode()
        assert "赵玄武" in html.split('id="trace-at-due"')[1].split("</dd>")[0]

    def test_the_person_page_shows_duties_due_in_his_tenure(self, city: City) -> None:
        client = _client(city.users["credit"])
        former = client.get(reverse("subjects:person_detail", args=[city.people["xuanwu_head"].pk])).content.decode()
        successor = client.get(reverse("subjects:person_detail", args=[city.people["successor"].pk])).content.decode()
        old: Promise = city.old_promise
        assert 'id="commitments-panel"' in former and old.number in former and "可行性缺口补助" in former
        assert old.number not in successor and city.promise.number in successor

    def test_performance_counts_the_overdue_duty(self, city: City) -> None:
        duties = list(city.project.duties.all())
        perf = services.performance(duties)
        assert perf.overdue == 1 and perf.open == 1 and perf.total == 2


class TestScope:
    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        return shared_city

    def test_district_sees_only_its_own(self, city: City) -> None:
        district = city.users["district"]
        assert list(visible_projects(district)) == [city.project]
        assert set(visible_promises(district)) == {city.promise}
        assert visible_promises(city.users["credit"]).count() == 2
        assert not visible_promises(city.users["subject"]).exists() and not visible_projects(city.users["public"]).exists()
        client = _client(district)
        assert client.get(reverse("commitments:promise_detail", args=[city.qinhuai_promise.pk])).status_code == 404
        assert client.get(reverse("commitments:project_detail", args=[city.qinhuai_project.pk])).status_code == 404
        assert [p["number"] for p in client.get("/api/commitments/promises").json()["items"]] == [city.promise.number]
        assert len(client.get("/api/commitments/projects").json()["items"]) == 1
        listed = client.get(reverse("commitments:promise_list")).content.decode()
        assert city.promise.number in listed and city.qinhuai_promise.number not in listed
        xlsx = client.get(reverse("commitments:promise_list") + "?format=xlsx")
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        change = client.post(f"/api/commitments/promises/{city.qinhuai_promise.pk}/change",
                             {"legal_basis": "x", "procedure": "y", "reason": "z", "decided_on": DAY.isoformat()},
                             content_type="application/json")
        assert change.status_code == 404


class TestPublicFollowPage:
    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        return shared_city

    def test_only_that_case_masked(self, city: City) -> None:
        registered = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=90), investor="张三丰", investor_code="",
                             terms="联系人张三丰，电话13912345678，身份证号320102198506151234")
        client = Client()
        html = client.post(reverse("commitments:follow"), {"number": registered.promise.number,
                                                           "code": registered.code}).content.decode()
        result = html.split('id="follow-result"')[1]
        assert registered.promise.number in result and "张*丰" in result
        for secret in ("张三丰", "13912345678", "320102198506151234", "赵玄武"):
            assert secret not in html
        assert city.promise.number not in html
        wrong = client.post(reverse("commitments:follow"), {"number": registered.promise.number, "code": "WRONGCODE2"})
        unknown = client.post(reverse("commitments:follow"), {"number": "ZS000000000000", "code": registered.code})
        for answer in (wrong, unknown):
            assert 'id="follow-result"' not in answer.content.decode()
            assert services.MSG_NOT_FOUND in answer.content.decode()

    def test_company_name_is_shown(self, city: City) -> None:
        registered = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=90), investor_code=COMPANY)
        html = Client().post(reverse("commitments:follow"), {"number": registered.promise.number,
                                                             "code": registered.code.lower()}).content.decode()
        assert "南京芯片科技有限公司" in html and "13912345678" not in html


class TestLedger:
    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        return shared_city

    def test_every_state_change_is_an_entry(self, city: City) -> None:
        actor = city.users["district"]
        p = project(city, "xuanwu", "玄武区智慧停车PPP项目")
        assert _entries("commitments.project.create") == 3 and _entries("commitments.stage.start") == 3
        d = duty(p, DAY - dt.timedelta(days=3))
        services.fulfil_duty(d, done_on=DAY, actor=actor)
        assert d.status == DutyStatus.DONE and _entries("commitments.duty.fulfil") == 1
        with pytest.raises(Conflict):
            services.fulfil_duty(d, done_on=DAY, actor=actor)
        for _i in range(5):
            services.advance_stage(p, responsible_post="区长", started_on=DAY, actor=actor, reason="阶段完成")
        assert p.stage == Stage.DONE
        assert _entries("commitments.project.stage") == 5 and _entries("commitments.stage.end") == 5
        assert _entries("commitments.stage.start") == 7
        with pytest.raises(Conflict):
            services.advance_stage(p, responsible_post="区长", started_on=DAY, actor=actor, reason="再进")
        registered = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=9))
        services.keep_promise(registered.promise, kept_on=DAY, actor=actor, reason="已拨付")
        assert _entries("commitments.promise.keep") == 1
        ended = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=9)).promise
        services.change_promise(ended, legal_basis="依据", procedure="程序", reason="理由", decided_on=DAY,
                                terminates=True, actor=actor)
        assert ended.status == PromiseStatus.ENDED
        assert _entries("commitments.promise.change") == 1 and _entries("commitments.promise.end") == 1
        broken = promise(city, "xuanwu", DAY, DAY + dt.timedelta(days=9)).promise
        services.mark_promise_breached(broken, actor=actor, reason="信用办确认")
        assert _entries("commitments.promise.breach") == 1
        services.record_compensation(broken, amount=Decimal(10), description="补偿", paid_on=DAY, actor=actor)
        assert _entries("commitments.compensation.record") == 1
        history = _client(city.users["credit"]).get(reverse("commitments:promise_detail", args=[broken.pk])).content.decode()
        assert "招商引资承诺违约" in history

    def test_filter_by_status(self, city: City) -> None:
        rows = filter_promises(Promise.objects.all(), clock.today(), status=PromiseStatus.OPEN)
        assert rows.count() == 2


class TestBreachCandidate:
    """Past its due date a promise made under the former 区长 becomes a *candidate* for the district and the
    person who held the post on the due date; only the credit office's confirmation makes it 已违约."""

    @pytest.fixture
    def city(self, shared_city: City) -> City:
        add_commitments(shared_city)
        city = shared_city
        city.old_promise = promise(city, "xuanwu", DAY - dt.timedelta(days=300),
                                   DAY - dt.timedelta(days=15)).promise
        change_post(city.people["xuanwu_head"], employer=city.orgs["city"], post="市政府副秘书长", rank="正处级",
                    status=ServantStatus.TRANSFERRED, effective=DAY - dt.timedelta(days=10), actor="test", reason="换届")
        add_head(city, "successor", "孙继任", "xuanwu", DAY - dt.timedelta(days=10), 902)
        return city

    def test_candidate_then_confirmed(self, city: City) -> None:
        from govcredit.obligations.models import BreachCandidate, CandidateStatus
        from govcredit.obligations.services import confirm_candidate, mark_obligations

        old: Promise = city.old_promise
        ob = link.obligation_of(old)
        assert ob is not None and ob.debtor_org == city.orgs["xuanwu"] and ob.responsible_post == "区长"
        assert ob.amount == Decimal(3000000)
        mark_obligations(clock.today())
        candidate = BreachCandidate.objects.get(obligation=ob)
        assert candidate.status == CandidateStatus.PENDING and candidate.subject_org == city.orgs["xuanwu"]
        old.refresh_from_db()
        assert old.status == PromiseStatus.OPEN  # a candidate is not a breach
        html = _client(city.users["district"]).get(reverse("commitments:promise_detail", args=[old.pk])).content.decode()
        row = html.split('id="candidates"')[1].split("</table>")[0]
        assert "赵玄武" in row and "待确认" in row
        confirm_candidate(candidate, actor=city.users["credit"], severity="一般", reason="逾期未兑现扶持资金")
        candidate.refresh_from_db()
        assert candidate.responsible_person == city.people["xuanwu_head"]  # the former 区长, moved on
        old.refresh_from_db()
        assert old.status == PromiseStatus.BREACHED and _entries("commitments.promise.breach") == 1

    def test_lawful_change_moves_the_obligation(self, city: City) -> None:
        old: Promise = city.old_promise
        services.change_promise(old, legal_basis="依据", procedure="常务会议纪要", reason="规划调整", decided_on=DAY,
                                new_due_on=DAY + dt.timedelta(days=100), actor=city.users["district"])
        ob = link.obligation_of(old)
        assert ob is not None and ob.due_on == DAY + dt.timedelta(days=100)
        services.keep_promise(old, kept_on=DAY, reason="已拨付", actor=city.users["district"])
        ob.refresh_from_db()
        assert ob.status == "已履行"
