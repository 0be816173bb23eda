"""JSON API of joint rewards and punishments (mounted at ``/api/sanctions/``).

The catalogue, the measures in the caller's scope, eligibility checks, fault-tolerance applications and
their collective decision, and the rectification lists. Cases move through the workflow API
(``/api/workflow/cases/{id}/transition``, ``…/evidence``); the decision steps of a fault-tolerance case
are taken only here, with the minutes and the deciders.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, get_in_scope, invalid, user_of
from govcredit.archive.selectors import visible_records
from govcredit.core import clock
from govcredit.core.params import Day, ObjectId
from govcredit.subjects.selectors import visible_orgs, visible_people
from govcredit.workflow.models import Case, Evidence

from . import eligibility, selectors
from . import workflow as procedures
from .models import AppliedMeasure, FaultToleranceApplication, MeasureStatus, MeasureType, Rule

router = Router(tags=["联合奖惩"])


class MeasureTypeOut(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="名称")
    polarity: str = Field(description="惩戒或激励")
    version: int = Field(description="现行版本")
    legal_basis: str = Field(description="依据")
    duration_months: int = Field(description="期限（月）")
    subject_kinds: list[str] = Field(description="适用主体")
    restricts: list[str] = Field(description="限制事项")
    favours: list[str] = Field(description="优先事项")
    effect: str = Field(description="附带办理（rectification 限期整改，criticism 通报批评）")
    rectification_days: int = Field(description="限期整改的期限（天）")
    rectification_working_days: bool = Field(description="整改期限按工作日（国务院节假日安排）计算；否：按自然日")


class RuleOut(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="名称")
    version: int = Field(description="现行版本")
    record_types: list[str] = Field(description="信息类别代码")
    severities: list[str] = Field(description="严重程度（空为不限）")
    subject_kinds: list[str] = Field(description="适用主体")
    min_count: int = Field(description="统计年限内记录数不少于")
    within_years: int = Field(description="统计年限（年）")
    measures: list[str] = Field(description="触发的措施代码")
    is_active: bool = Field(description="启用")


class CatalogueOut(Schema):
    measures: list[MeasureTypeOut]
    rules: list[RuleOut]


class MeasureOut(Schema):
    id: int = Field(description="编号")
    measure: str = Field(description="措施")
    polarity: str = Field(description="惩戒或激励")
    measure_version: int = Field(description="措施版本")
    rule: str = Field(description="规则")
    rule_version: int = Field(description="规则版本")
    subject: str = Field(description="主体")
    record_id: int = Field(description="信用记录编号")
    record: str = Field(description="信用记录")
    status: str = Field(description="状态")
    start_on: dt.date = Field(description="开始日期")
    end_on: dt.date = Field(description="截止日期")
    ended_on: dt.date | None = Field(description="实际结束日期")
    end_reason: str = Field(description="结束原因")


class MeasureFilter(Schema):
    status: MeasureStatus | None = Field(None, description="状态")
    record_id: ObjectId | None = Field(None, description="信用记录编号")


def measure_out(m: AppliedMeasure) -> MeasureOut:
    return MeasureOut(id=m.pk, measure=m.name, polarity=m.polarity, measure_version=m.measure_version.version,
                      rule=m.rule_version.rule.name, rule_version=m.rule_version.version, subject=m.subject_label,
                      record_id=m.record_id, record=f"{m.record.record_type.name} {m.record.decision_number}",
                      status=m.status, start_on=m.start_on, end_on=m.end_on, ended_on=m.ended_on,
                      end_reason=m.end_reason)


@router.get("/catalogue", auth=api_auth(access.READ_MEASURES), response={200: CatalogueOut, **ERRORS}, summary="联合奖惩措施清单和规则（现行版本）")
def catalogue(request: HttpRequest) -> CatalogueOut:
    access.require(user_of(request), access.READ_MEASURES)
    measures = []
    for t in MeasureType.objects.all():
        v = t.current()
        measures.append(MeasureTypeOut(code=t.code, name=t.name, polarity=t.polarity, version=v.version,
                                       legal_basis=v.legal_basis, duration_months=v.duration_months,
                                       subject_kinds=v.subject_kinds, restricts=v.restricts, favours=v.favours,
                                       effect=v.effect, rectification_days=v.rectification_days,
                                       rectification_working_days=v.rectification_working_days))
    rules = []
    for r in Rule.objects.all():
        rv = r.current()
        rules.append(RuleOut(code=r.code, name=r.name, version=rv.version, record_types=rv.record_types,
                             severities=rv.severities, subject_kinds=rv.subject_kinds, min_count=rv.min_count,
                             within_years=rv.within_years, measures=rv.measures, is_active=rv.is_active))
    return CatalogueOut(measures=measures, rules=rules)


@router.get("/measures", auth=api_auth(access.READ_MEASURES), response={200: list[MeasureOut], **ERRORS}, summary="奖惩措施执行情况",
            description="调用者可见范围内主体的措施，按开始日期从新到旧。")
@paginate(Pagination)
def list_measures(request: HttpRequest, filters: Query[MeasureFilter]) -> list[MeasureOut]:
    user = user_of(request)
    access.require(user, access.READ_MEASURES)
    qs: QuerySet[AppliedMeasure] = selectors.visible_measures(user).order_by("-start_on", "-pk")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.record_id is not None:
        qs = qs.filter(record_id=filters.record_id)
    return [measure_out(m) for m in qs[:5000]]


# --- eligibility ------------------------------------------------------------------------------------

class EligibilityIn(Schema):
    subject_org: ObjectId | None = Field(None, description="单位编号（与 subject_person 二选一）")
    subject_person: ObjectId | None = Field(None, description="公务员编号")
    participation: str = Field(description="参与事项：评先评优、专项资金、改革试点、项目投资、职务晋升")
    on_date: Day | None = Field(None, description="日期（默认今天）")
    purpose: str = Field(min_length=1, max_length=200, description="查询事由（记入核查日志）")


class EligibilityOut(Schema):
    eligible: bool = Field(description="可以参与")
    subject: str = Field(description="主体")
    participation: str = Field(description="参与事项")
    on_date: dt.date = Field(description="日期")
    blocking: list[MeasureOut] = Field(description="限制参与的惩戒措施")
    favouring: list[MeasureOut] = Field(description="同等条件下优先的激励措施")
    suspended: list[MeasureOut] = Field(description="因异议暂停执行的措施（不限制参与）")


@router.post("/eligibility", auth=api_auth(access.CHECK_ELIGIBILITY), response={200: EligibilityOut, **ERRORS}, summary="参与资格核查",
             description="某主体在某日能否参与评先评优、专项资金、改革试点、项目投资或职务晋升；每次核查记入日志。")
def check_eligibility(request: HttpRequest, body: EligibilityIn) -> EligibilityOut:
    user = user_of(request)
    if not access.can_check_eligibility(user):
        raise PermissionDenied(_("您的角色无权进行参与资格核查"))
    if (body.subject_org is None) == (body.subject_person is None):
        invalid("subject_org", "请指定一个主体：subject_org 或 subject_person")
    subject = (get_in_scope(visible_orgs(user), pk=body.subject_org) if body.subject_org is not None
               else get_in_scope(visible_people(user), pk=body.subject_person))
    a = eligibility.check(user, subject, body.participation, body.on_date or clock.today(), body.purpose)
    return EligibilityOut(eligible=a.eligible, subject=a.subject, participation=a.participation, on_date=a.on_date,
                          blocking=[measure_out(m) for m in a.blocking], favouring=[measure_out(m) for m in a.favouring],
                          suspended=[measure_out(m) for m in a.suspended])


# --- fault tolerance --------------------------------------------------------------------------------

class FaultToleranceIn(Schema):
    record_id: ObjectId = Field(description="信用记录编号")
    measure_id: ObjectId | None = Field(None, description="只针对其中一项措施时，措施编号")
    grounds: list[str] = Field(description="情形：及时止损、挽回损失、纠正错误")
    statement: str = Field(min_length=1, max_length=2000, description="申请理由")


class FindingOut(Schema):
    outcome: str = Field(description="认定结果")
    lighten_to: dt.date | None = Field(description="减轻：措施提前结束于")
    meeting_on: dt.date = Field(description="集体决策会议日期")
    deciders: list[str] = Field(description="参加决策人员")
    minutes_evidence_id: int = Field(description="会议纪要（佐证材料编号）")
    reason: str = Field(description="理由")


class ApplicationOut(Schema):
    id: int = Field(description="编号")
    case_id: int = Field(description="办理事项编号（在 /api/workflow/cases/{id} 办理）")
    status: str = Field(description="办理状态")
    record_id: int = Field(description="信用记录编号")
    measure_id: int | None = Field(description="措施编号")
    grounds: list[str] = Field(description="情形")
    statement: str = Field(description="申请理由")
    finding: FindingOut | None = Field(description="集体决策结果")


class FindingIn(Schema):
    outcome: str = Field(description="免除、减轻或不予认定")
    lighten_to: Day | None = Field(None, description="减轻时：措施提前结束的日期")
    meeting_on: Day = Field(description="集体决策会议日期")
    deciders: list[str] = Field(description="参加决策人员（至少 3 人）")
    minutes_evidence_id: ObjectId = Field(description="会议纪要：先以 POST /api/workflow/cases/{id}/evidence 上传")
    reason: str = Field(min_length=1, max_length=2000, description="认定理由")


def application_out(a: FaultToleranceApplication) -> ApplicationOut:
    finding = getattr(a, "finding", None)
    return ApplicationOut(
        id=a.pk, case_id=a.case_id, status=a.case.status, record_id=a.record_id, measure_id=a.measure_id,
        grounds=a.grounds, statement=a.statement,
        finding=FindingOut(outcome=finding.outcome, lighten_to=finding.lighten_to, meeting_on=finding.meeting_on,
                           deciders=finding.deciders, minutes_evidence_id=finding.minutes_id, reason=finding.reason)
        if finding else None)


@router.get("/fault-tolerance", auth=api_auth(access.READ_MEASURES), response={200: list[ApplicationOut], **ERRORS}, summary="容错纠错申请列表")
@paginate(Pagination)
def list_applications(request: HttpRequest) -> list[ApplicationOut]:
    user = user_of(request)
    access.require(user, access.READ_MEASURES)
    return [application_out(a) for a in
            selectors.visible_applications(user).select_related("finding").order_by("-created_at", "-pk")[:5000]]


@router.post("/fault-tolerance", auth=api_auth(access.APPLY_FAULT_TOLERANCE), response={201: ApplicationOut, **ERRORS}, summary="申请容错纠错",
             description="对一条信用记录（其全部惩戒措施）或其中一项措施申请；随后由单位出具意见、信用办审查、集体决策。")
def apply(request: HttpRequest, body: FaultToleranceIn) -> Status[ApplicationOut]:
    user = user_of(request)
    if not access.can_apply_fault_tolerance(user):
        raise PermissionDenied(_("您的角色无权申请容错纠错"))
    record = get_in_scope(visible_records(user), pk=body.record_id)
    measure = (get_in_scope(selectors.visible_measures(user), pk=body.measure_id)
               if body.measure_id is not None else None)
    a = procedures.apply_fault_tolerance(record, actor=user, grounds=body.grounds, statement=body.statement,
                                         measure=measure)
    return Status(201, application_out(a))


@router.post("/fault-tolerance/{application_id}/finding", auth=api_auth(access.DECIDE_FAULT_TOLERANCE), response={200: ApplicationOut, **ERRORS},
             summary="录入集体决策结果",
             description="仅信用管理部门；申请须已审查通过（待集体决策），须附会议纪要和参加决策人员；"
                         "免除则结束措施，减轻则提前措施截止日期。")
def finding(request: HttpRequest, application_id: ObjectId, body: FindingIn) -> ApplicationOut:
    user = user_of(request)
    a = get_in_scope(selectors.visible_applications(user), pk=application_id)
    if not access.can_record_fault_tolerance_finding(user):
        raise PermissionDenied(_("只有信用管理部门可以录入集体决策结果"))
    minutes = get_in_scope(Evidence.objects.filter(case_id=a.case_id), pk=body.minutes_evidence_id)
    procedures.record_finding(a, actor=user, outcome=body.outcome, meeting_on=body.meeting_on, deciders=body.deciders,
                              minutes=minutes, reason=body.reason, lighten_to=body.lighten_to)
    return application_out(get_in_scope(selectors.visible_applications(user).select_related("finding"), pk=a.pk))


# --- rectification ----------------------------------------------------------------------------------

class RectificationOut(Schema):
    case_id: int = Field(description="办理事项编号")
    department: str = Field(description="责任单位")
    status: str = Field(description="状态")
    due_on: dt.date = Field(description="办理期限")
    overdue: bool = Field(description="已逾期")
    escalated: bool = Field(description="已督办")
    basis: str = Field(description="依据")


class RectificationListsOut(Schema):
    open: int = Field(description="办理中")
    due_soon: int = Field(description="即将到期（3 个工作日内）")
    overdue: int = Field(description="已逾期")
    items: list[RectificationOut] = Field(description="办理中的整改（逾期在前，最多 500 件）")


@router.get("/rectifications", auth=api_auth(access.READ_RECTIFICATION_LISTS), response={200: RectificationListsOut, **ERRORS}, summary="整改清单")
def rectifications(request: HttpRequest) -> RectificationListsOut:
    user = user_of(request)
    if not access.can_read_rectification_lists(user):
        raise PermissionDenied(_("您的角色无权查看整改清单"))
    lists = selectors.rectification_lists(user, clock.today())
    cases: list[Case] = list(lists["open"][:500])
    late = set(lists["overdue"].values_list("pk", flat=True))
    return RectificationListsOut(
        open=lists["open"].count(), due_soon=lists["due_soon"].count(), overdue=lists["overdue"].count(),
        items=[RectificationOut(case_id=c.pk, department=c.debtor_org.name if c.debtor_org else "", status=c.status,
                                due_on=c.due_on, overdue=c.pk in late,
                                escalated=c.escalated_at is not None, basis=c.basis_text) for c in cases])


# --- public -----------------------------------------------------------------------------------------

class CriticismOut(Schema):
    department: str = Field(description="单位")
    reason: str = Field(description="事由")
    start_on: dt.date = Field(description="起始日期")
    end_on: dt.date = Field(description="截止日期")


@router.get("/criticism", auth=None, response={200: list[CriticismOut], **ERRORS}, summary="通报批评名单（公开）")
def criticism(request: HttpRequest) -> list[CriticismOut]:
    return [CriticismOut(department=m.subject_org.name if m.subject_org else "", reason=m.record.record_type.name,
                         start_on=m.start_on, end_on=m.end_on) for m in selectors.criticism_list(clock.today())[:500]]
