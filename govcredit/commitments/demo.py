"""Demo PPP projects in every stage and promises in every state, written through the services.

One promise of 玄武区人民政府 spans a change of district leadership: it was made while one person was
区长; he then moved to another post and a successor took over; the promise stays with the district, is
listed in the turnover view, is overdue, and its trace-back names the former 区长. The obligations job
makes the overdue promises and duties breach candidates; the credit office confirms one (已违约) and leaves
the others pending, since a breach is never automatic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from govcredit.accounts.models import Role, User
from govcredit.core import clock
from govcredit.core.demo import DemoRun
from govcredit.obligations.models import BreachCandidate, CandidateStatus
from govcredit.obligations.services import confirm_candidate, mark_obligations
from govcredit.subjects.models import CivilServant, Organization, ServantStatus
from govcredit.subjects.services import change_post

from . import link, services
from .models import DutyKind, Promise, PromiseKind, Stage

ACTOR = "demo"
HEAD = "区长"


def _districts() -> list[Organization]:
    return list(Organization.objects.filter(name__endswith="区人民政府", depth=1).order_by("path"))


def _current_post(person: CivilServant) -> dt.date | None:
    held = person.posts.filter(end_date__isnull=True).order_by("-start_date").first()
    return held.start_date if held is not None else None


def leadership_change(district: Organization, today: dt.date) -> tuple[CivilServant, CivilServant, dt.date] | None:
    """The district's 区长 moves to the city government 60 days ago and a deputy (or another official of the
    district) takes over, both from the city's own civil servants (the demo adds no people to the plan).
    Returns (predecessor, successor, the day of the change), or None where the city has no such pair."""
    changed = today - dt.timedelta(days=60)

    def settled(person: CivilServant) -> bool:
        start = _current_post(person)
        return start is not None and start < changed - dt.timedelta(days=200)

    active = CivilServant.objects.filter(employer=district, status=ServantStatus.ACTIVE).order_by("pk")
    before = next((p for p in active.filter(post=HEAD) if settled(p)), None)
    after = next((p for p in active.exclude(post=HEAD).order_by("-post", "pk") if settled(p) and p.post == "副区长"),
                 None) or next((p for p in active.exclude(post=HEAD) if settled(p)), None)
    if before is None or after is None:
        return None
    city = district.parent or district
    change_post(before, employer=city, post="市政府副秘书长", rank=before.rank, status=ServantStatus.TRANSFERRED,
                effective=changed, actor=ACTOR, reason="演示：换届调任")
    change_post(after, employer=district, post=HEAD, rank=after.rank, status=ServantStatus.ACTIVE, effective=changed,
                actor=ACTOR, reason="演示：换届任职")
    return before, after, changed


def _projects(districts: list[Organization], today: dt.date) -> int:
    made = 0
    stages = [Stage.IDENTIFY, Stage.PREPARE, Stage.PROCURE, Stage.EXECUTE, Stage.TRANSFER, Stage.DONE]
    for i, target in enumerate(stages):
        org = districts[i % len(districts)]
        start = today - dt.timedelta(days=720)
        project = services.create_project(
            name=f"{org.name[:-4]}{['污水处理', '体育中心', '轨道交通接驳', '智慧停车', '养老服务中心', '老旧小区改造'][i]}PPP项目",
            org=org, responsible_post=HEAD, partner_name=f"南京{['城建', '水务', '交投', '智行', '康养', '安居'][i]}投资有限公司",
            investment=Decimal(50000 + 10000 * i), started_on=start, actor=ACTOR)
        services.add_duty(project, kind=DutyKind.APPROVAL, title="物有所值评价和财政承受能力论证审核", basis="财金〔2014〕113号",
                          due_on=start + dt.timedelta(days=60), actor=ACTOR)
        services.add_duty(project, kind=DutyKind.DISCLOSURE, title="识别阶段信息公开", basis="财金〔2017〕1号",
                          due_on=start + dt.timedelta(days=30), actor=ACTOR)
        for step in range(stages.index(target)):
            day = start + dt.timedelta(days=120 * (step + 1))
            for duty in project.duties.filter(status="待履行", due_on__lt=day):
                services.fulfil_duty(duty, done_on=duty.due_on - dt.timedelta(days=step % 2), actor=ACTOR)
            services.advance_stage(project, responsible_post=HEAD, started_on=day, actor=ACTOR, reason="演示：阶段完成")
            if project.stage != Stage.DONE:
                services.add_duty(project, kind=DutyKind.DISCLOSURE, title=f"{project.get_stage_display()}阶段信息公开",
                                  basis="财金〔2017〕1号", due_on=day + dt.timedelta(days=30), actor=ACTOR)
        if target == Stage.EXECUTE:
            services.add_duty(project, kind=DutyKind.PAYMENT, title="可行性缺口补助（本年度）", basis="PPP项目合同第12条",
                              amount=Decimal(1800), due_on=today - dt.timedelta(days=15), actor=ACTOR)
            services.add_duty(project, kind=DutyKind.PAYMENT, title="可行性缺口补助（下年度）", basis="PPP项目合同第12条",
                              amount=Decimal(1800), due_on=today + dt.timedelta(days=200), actor=ACTOR)
        made += 1
    return made


def _promise(org: Organization, i: int, promised_on: dt.date, due_on: dt.date, kind: str = PromiseKind.SUBSIDY,
             terms: str = "") -> Promise:
    return services.make_promise(
        org=org, investor_name=f"南京{['新材', '芯片', '医药', '软件', '物流', '文旅', '新能源'][i % 7]}科技有限公司",
        investor_code="", kind=kind, terms=terms or "项目投产后三年内按地方财政贡献给予产业扶持资金",
        legal_basis="《南京市招商引资优惠政策》第五条", document=f"投资协议〔{promised_on:%Y}〕{i + 1}号",
        amount=Decimal(500 + 100 * i), promised_on=promised_on, due_on=due_on, responsible_post=HEAD,
        actor=ACTOR).promise


def _promises(districts: list[Organization], today: dt.date) -> dict[str, int]:
    xuanwu = next((d for d in districts if d.name.startswith("玄武")), districts[0])
    other = districts[1 % len(districts)]
    year_ago = today - dt.timedelta(days=365)
    _promise(other, 0, year_ago, today + dt.timedelta(days=90))  # 履行中
    kept = _promise(other, 1, year_ago, today - dt.timedelta(days=30), PromiseKind.LAND, "协议出让工业用地50亩")
    services.keep_promise(kept, kept_on=today - dt.timedelta(days=35), actor=ACTOR, reason="已交付土地")
    changed = _promise(other, 2, year_ago, today + dt.timedelta(days=30), PromiseKind.APPROVAL, "60个工作日内完成项目审批")
    change = services.change_promise(
        changed, legal_basis="《优化营商环境条例》第三十一条", procedure="区政府常务会议纪要〔2026〕9号",
        reason="上位规划调整，审批须补充环评", decided_on=today - dt.timedelta(days=20),
        new_due_on=today + dt.timedelta(days=120), actor=ACTOR)
    services.record_compensation(changed, amount=Decimal(80), description="延期造成的前期费用损失补偿",
                                 paid_on=today - dt.timedelta(days=10), change=change, actor=ACTOR)
    ended = _promise(other, 3, year_ago, today + dt.timedelta(days=60), PromiseKind.POLICY, "五年内减半收取城市基础设施配套费")
    services.change_promise(ended, legal_basis="《行政许可法》第八条", procedure="区政府常务会议纪要〔2026〕11号",
                            reason="所依据的政策被上级废止", decided_on=today - dt.timedelta(days=5), terminates=True,
                            actor=ACTOR)
    services.record_compensation(ended, amount=Decimal(150), description="依法解除承诺的损失补偿",
                                 paid_on=today - dt.timedelta(days=2), actor=ACTOR)
    broken = _promise(other, 4, year_ago, today - dt.timedelta(days=45))
    # across the change of leadership: made under the former 区长, still owed, overdue
    turnover = leadership_change(xuanwu, today)
    if turnover is None:
        mark_obligations(today)
        return {"招商引资承诺": Promise.objects.count(), "确认违约的承诺": _confirm(broken)}
    before, _after, changed_on = turnover
    held = before.posts.filter(post=HEAD, employer=xuanwu).order_by("-start_date").first()
    made_on = max(held.start_date if held else changed_on - dt.timedelta(days=200), changed_on - dt.timedelta(days=200))
    _promise(xuanwu, 5, made_on, today - dt.timedelta(days=10), PromiseKind.SUBSIDY, "项目落地奖励300万元，签约后分两期拨付")
    _promise(xuanwu, 6, made_on, today + dt.timedelta(days=45), PromiseKind.LAND, "配套建设人才公寓一栋")
    # due (and missed) before the change: the trace-back names the former 区长, who has since moved on
    _promise(xuanwu, 7, made_on, changed_on - dt.timedelta(days=5), PromiseKind.APPROVAL, "签约后30日内办结施工许可")
    # the daily job turns the overdue ones into candidates; the credit office confirms one of them (已违约)
    # and leaves the others (the promise across the change of leadership among them) for its decision
    mark_obligations(today)
    confirmed = _confirm(broken)
    return {"招商引资承诺": Promise.objects.count(), "确认违约的承诺": confirmed}


def _confirm(promise: Promise) -> int:
    credit = User.objects.filter(role=Role.CREDIT_OFFICE, is_active=True, organization__isnull=False).order_by("pk").first()
    ob = link.obligation_of(promise)
    candidate = BreachCandidate.objects.filter(obligation=ob, status=CandidateStatus.PENDING).first() if ob else None
    if credit is None or candidate is None:
        return 0
    confirm_candidate(candidate, actor=credit, severity="一般", reason="逾期未兑现产业扶持资金，经核实属实")
    return 1


def build_demo(run: DemoRun) -> Mapping[str, int]:
    today = clock.today()
    districts = _districts()
    if not districts:
        return {}
    projects = _projects(districts, today)
    counts = _promises(districts, today)
    return {"PPP项目": projects, **counts}
