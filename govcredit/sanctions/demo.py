"""Demo data of joint rewards and punishments: measures for the demo city's records, and rectifications
and fault-tolerance findings in every state, made through the services (``demo-data`` calls
:func:`build` once the city and its accounts exist).

The city's own records start their measures through :func:`.services.records_created` (they were
written in bulk). A few recent 违约毁约 records of 玄武区's organisations (where the demo's district
account works) then carry one rectification and one fault-tolerance application per state; two
rectifications are dated back (through the ledger) so that the overdue mark and the escalation show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from govcredit.accounts.models import User
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.ledger.services import update_with_entries
from govcredit.subjects.models import CivilServant, Organization
from govcredit.workdays.services import add_workdays
from govcredit.workflow import services as workflow
from govcredit.workflow.models import Case

from . import services
from .catalogue import load_measures
from .models import AppliedMeasure, Outcome
from .workflow import (
    ACCEPTED,
    CHECKING,
    COLLECTIVE,
    RECTIFICATION,
    RECTIFYING,
    REFUSED,
    REVIEW,
    WITHDRAWN,
    apply_fault_tolerance,
    decide_with_minutes,
)

ACTOR = "demo-data:sanctions"  # its own records are told apart from the planned city by this actor
CHUNK = 2000
MINUTES = b"%PDF-1.4\n% demo: minutes of the collective decision\n%%EOF\n"
EVIDENCE = b"%PDF-1.4\n% demo: payment receipt\n%%EOF\n"
DECIDERS = ["市信用办主任", "市信用办副主任", "市发改委法规处处长", "市纪委监委派驻纪检组组长"]


@dataclass
class Users:
    credit: User
    district: User
    subject: User | None


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=dict)


def _users() -> Users | None:
    credit = User.objects.filter(username="credit").first()
    district = User.objects.filter(username="xuanwu").first()
    if credit is None or district is None or district.organization is None:
        return None
    return Users(credit, district, User.objects.filter(username="subject", civil_servant__isnull=False).first())


def _breach(org: Organization, issuer: Organization, n: int, days_ago: int, severity: str = "一般") -> CreditRecord:
    day = clock.today() - dt.timedelta(days=days_ago)
    return record_decision(RecordType.objects.get(code="wyhy").current(), {
        "认定文号": f"玄信认〔{day.year}〕{900 + n}号", "认定机关": issuer.name, "认定日期": day.isoformat(),
        "合同名称": f"公共服务采购合同（演示 {n}）", "违约情形": "未按合同约定期限支付款项", "涉及金额（万元）": "12.5",
        "严重程度": severity,
    }, issuing_org=issuer, subject_org=org, actor=ACTOR)


def _discipline(person: CivilServant, issuer: Organization) -> CreditRecord:
    day = clock.today() - dt.timedelta(days=20)
    return record_decision(RecordType.objects.get(code="jlcf").current(), {
        "处分决定文号": f"玄纪〔{day.year}〕900号", "处分机关": "玄武区纪委监委", "处分决定日期": day.isoformat(),
        "处分种类": "警告", "违纪违法事实": "工作失误造成合同付款延误（演示）", "严重程度": "一般",
    }, issuing_org=issuer, subject_person=person, actor=ACTOR)


def _integrity_models(xuanwu: Organization, subject: User | None) -> int:
    """诚信模范 recognitions of civil servants of 玄武区 (the demo subject's first): their rewards start."""
    people = list(CivilServant.objects.filter(employer__path__startswith=xuanwu.path).order_by("pk")[:3])
    if subject is not None and subject.civil_servant is not None:
        people = [subject.civil_servant, *[p for p in people if p.pk != subject.civil_servant_id]][:3]
    version = RecordType.objects.get(code="cxmf").current()
    for n, person in enumerate(people):
        day = clock.today() - dt.timedelta(days=30 + 40 * n)
        record_decision(version, {
            "认定文号": f"玄诚〔{day.year}〕{700 + n}号", "认定机关": xuanwu.name, "认定日期": day.isoformat(),
            "模范称号": ("诚信标兵", "诚信模范公务员", "守信践诺先进个人")[n % 3], "认定级别": "区级",
            "主要事迹": "坚持依法行政、守信践诺，群众满意度高（演示）",
        }, issuing_org=xuanwu, subject_person=person, actor=ACTOR)
    return len(people)


def _rectification(record: CreditRecord) -> Case:
    ids = list(AppliedMeasure.objects.filter(record=record).values_list("pk", flat=True))
    return Case.objects.get(kind=RECTIFICATION.code, basis_id__in=ids)


def _back_date(case: Case, days: int) -> None:
    """Open the case ``days`` working days earlier (demo only, through the ledger), so it is overdue today."""
    opened = add_workdays(clock.today(), -days).date
    assert case.basis_id is not None, "a rectification case is always about an applied measure"
    measure = AppliedMeasure.objects.select_related("measure_version").get(pk=case.basis_id)
    version = measure.measure_version
    case.opened_on = opened
    case.due_on = workflow.add_days(opened, version.rectification_days, version.rectification_working_days)
    update_with_entries(Case, [case], ["opened_on", "due_on"], actor=ACTOR, action="workflow.transition",
                        reason="演示数据：立案日期提前，以展示逾期与督办")


def _rectifications(users: Users, records: list[CreditRecord]) -> None:
    cases = [_rectification(r) for r in records]
    d, c = users.district, users.credit
    workflow.transition(cases[1], RECTIFYING, d, "书面说明：财政资金拨付延误导致逾期付款；整改方案：两周内付清并建立付款台账")
    for case in cases[2:5]:
        workflow.transition(case, RECTIFYING, d, "书面说明和整改方案已报送")
        workflow.attach_evidence(case, "付款凭证.pdf", EVIDENCE, d)
        workflow.transition(case, CHECKING, d, "款项已全部付清，附付款凭证")
    workflow.transition(cases[3], ACCEPTED, c, "验收通过：款项已付清，台账已建立")
    workflow.transition(cases[4], RECTIFYING, c, "佐证不足：请补充付款台账")
    _back_date(cases[5], 20)  # overdue and escalated
    _back_date(cases[6], 11)  # due the working day before today: overdue, not yet escalated
    workflow.mark_overdue()


def _fault_tolerance(users: Users, records: list[CreditRecord], person_record: CreditRecord | None) -> None:
    d, c = users.district, users.credit
    today = clock.today()
    apps = [apply_fault_tolerance(r, actor=d, grounds=["及时止损", "挽回损失"],
                                  statement="发现逾期后立即协调财政资金付清款项并支付违约金，未造成进一步损失")
            for r in records]
    for a in apps[1:]:
        workflow.transition(a.case, REVIEW, d, "单位意见：情况属实，建议予以容错")
    for a in apps[2:6]:
        workflow.transition(a.case, COLLECTIVE, c, "审查通过：符合及时止损、挽回损失情形，提交集体决策")
    decisions = {3: (Outcome.WAIVE, None), 4: (Outcome.LIGHTEN, today + dt.timedelta(days=60)), 5: (Outcome.REFUSE, None)}
    for i, (outcome, lighten_to) in decisions.items():
        decide_with_minutes(apps[i], actor=c, minutes_name="容错纠错集体决策会议纪要.pdf", minutes_data=MINUTES,
                            outcome=outcome, meeting_on=today, deciders=DECIDERS, lighten_to=lighten_to,
                            reason={Outcome.WAIVE: "及时止损并挽回全部损失，免除措施",
                                    Outcome.LIGHTEN: "主动纠错，减轻措施",
                                    Outcome.REFUSE: "损失系主观故意造成，不予认定"}[outcome])
    if person_record is not None and users.subject is not None:
        own = apply_fault_tolerance(person_record, actor=users.subject, grounds=["纠正错误"],
                                    statement="已主动纠正工作失误")
        workflow.transition(own.case, WITHDRAWN, users.subject, "补充材料后再申请")
    workflow.transition(apps[6].case, REFUSED, c, "审查不通过：不属于容错情形")


def build() -> dict[str, int]:
    """Start the demo city's measures and add rectifications and findings in every state; returns counts."""
    load_measures(actor=ACTOR)
    ids = list(CreditRecord.objects.filter(Q(subject_org__isnull=False) | Q(subject_person__isnull=False),
                                           status=RecordStatus.VALID).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        services.records_created(ids[start:start + CHUNK])
    users = _users()
    models = 0
    if users is not None:
        assert users.district.organization is not None
        xuanwu = users.district.organization
        orgs = list(Organization.objects.filter(path__startswith=xuanwu.path).exclude(pk=xuanwu.pk).order_by("depth", "pk")[:7])
        orgs = orgs or [xuanwu]
        records = [_breach(orgs[i % len(orgs)], xuanwu, i, days_ago=10 + i) for i in range(14)]
        _breach(orgs[0], xuanwu, 99, days_ago=15, severity="严重")  # 公开通报批评 on the portal
        person_record = None
        if users.subject is not None and users.subject.civil_servant is not None:
            person_record = _discipline(users.subject.civil_servant, xuanwu)
        _rectifications(users, records[:7])
        _fault_tolerance(users, records[7:], person_record)
        models = _integrity_models(xuanwu, users.subject)
    measures = AppliedMeasure.objects
    return {"奖惩措施": measures.count(), "其中执行中": measures.filter(status="执行中").count(),
            "整改事项": Case.objects.filter(kind=RECTIFICATION.code).count(), "诚信模范": models}
