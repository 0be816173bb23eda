"""JSON API of the obligations register (mounted at ``/api/obligations/``): obligations in the caller's
scope, breach candidates and the credit office's decision on them, and suppliers' complaints about
non-payment (filed by the credit office on a supplier's behalf, forwarded, extended, answered). Handlers find
the row in the caller's scope (404 outside it); the services and the workflow engine decide the rest: a
step by the wrong role answers 403, a step the complaint's state does not allow 422."""


import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, get_in_scope, user_of
from govcredit.core.params import ObjectId
from govcredit.remedies.limits import MSG_LIMITED, retry_after
from govcredit.workflow.models import Case

from . import complaints, procurement, services
from .models import OWED, BreachCandidate, Milestone, Obligation
from .selectors import visible_candidates, visible_complaints, visible_obligations

router = Router(tags=["履约践诺"])


class ObligationOut(Schema):
    id: int = Field(description="编号（内部）")
    reference: str = Field(description="编号")
    kind: str = Field(description="类型代码")
    title: str = Field(description="事项")
    debtor_org: str = Field(description="履行单位")
    debtor_org_id: int = Field(description="履行单位编号")
    creditor: str = Field(description="债权人（自然人姓名已遮蔽）")
    amount: Decimal | None = Field(description="金额（元）")
    due_on: dt.date = Field(description="履行期限")
    grace_days: int = Field(description="宽限期（日）")
    status: str = Field(description="状态：未到期、即将到期、已逾期、已履行、已取消")
    basis_text: str = Field(description="依据")
    interest: Decimal | None = Field(description="采购付款的逾期利息（元，计至今日）；其他类型为空")


class CandidateOut(Schema):
    id: int = Field(description="编号")
    obligation_id: int = Field(description="履约事项编号")
    reference: str = Field(description="履约事项编号（业务）")
    subject_org: str = Field(description="失信单位")
    responsible_person_id: int | None = Field(description="责任人编号")
    record_type: str = Field(description="失信信息类别代码")
    due_on: dt.date = Field(description="履行期限")
    amount: Decimal | None = Field(description="金额（元）")
    status: str = Field(description="状态：待确认、已确认、已驳回")
    reason: str = Field(description="处理理由")
    org_record_id: int | None = Field(description="单位失信记录编号")
    person_record_id: int | None = Field(description="责任人失信记录编号")


class ObligationFilter(Schema):
    status: str | None = Field(None, description="状态；不填为未履行（未到期、即将到期、已逾期）；all 为全部")


class ConfirmIn(Schema):
    severity: str = Field(description="严重程度：一般、严重")
    reason: str = Field(min_length=1, max_length=2000, description="认定理由")
    decision_number: str = Field("", max_length=100, description="认定文号（不填用履约事项编号）")
    include_person: bool = Field(True, description="同时认定责任人")


class DismissIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="驳回理由")


def _out(ob: Obligation, milestones: dict[int, Milestone] | None = None) -> ObligationOut:
    m = (milestones or {}).get(ob.pk)
    return ObligationOut(id=ob.pk, reference=ob.reference, kind=ob.kind, title=ob.title, debtor_org=ob.debtor_org.name,
                         debtor_org_id=ob.debtor_org_id, creditor=ob.creditor_label, amount=ob.amount, due_on=ob.due_on,
                         grace_days=ob.grace_days, status=ob.status, basis_text=ob.basis_text,
                         interest=procurement.milestone_interest(m) if m is not None else None)


def _candidate_out(c: BreachCandidate) -> CandidateOut:
    return CandidateOut(id=c.pk, obligation_id=c.obligation_id, reference=c.obligation.reference,
                        subject_org=c.subject_org.name, responsible_person_id=c.responsible_person_id,
                        record_type=c.record_type, due_on=c.due_on, amount=c.amount, status=c.status, reason=c.reason,
                        org_record_id=c.org_record_id, person_record_id=c.person_record_id)


@router.get("", auth=api_auth(access.READ_OBLIGATIONS), response={200: list[ObligationOut], **ERRORS},
            summary="履约事项列表", description="调用者可见范围内的履约事项，按履行期限排序。")
@paginate(Pagination)
def obligation_list(request: HttpRequest, filters: Query[ObligationFilter]) -> list[ObligationOut]:
    user = user_of(request)
    access.require(user, access.READ_OBLIGATIONS)
    qs = visible_obligations(user).order_by("due_on", "pk")
    if not filters.status:
        qs = qs.filter(status__in=OWED)
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    return [_out(o) for o in qs[:5000]]


@router.get("/candidates", auth=api_auth(access.DECIDE_BREACH_CANDIDATES), response={200: list[CandidateOut], **ERRORS},
            summary="失信候选列表", description="待确认的失信候选（信用管理部门）。")
@paginate(Pagination)
def candidate_list(request: HttpRequest) -> list[CandidateOut]:
    user = user_of(request)
    access.require(user, access.DECIDE_BREACH_CANDIDATES)
    rows = visible_candidates(user).filter(status="待确认").order_by("created_on", "pk")
    return [_candidate_out(c) for c in rows[:5000]]


class ComplaintStepOut(Schema):
    from_state: str = Field(description="原状态")
    to_state: str = Field(description="新状态")
    actor: str = Field(description="办理人（system：系统或供应商本人）")
    reason: str = Field(description="理由或处理结果")
    at: dt.datetime = Field(description="时间")


class ComplaintOut(Schema):
    id: int = Field(description="投诉编号（办理事项编号）")
    obligation_id: int | None = Field(description="履约事项编号")
    reference: str = Field(description="履约事项编号（业务）")
    debtor_org: str = Field(description="被投诉单位")
    complainant: str = Field(description="投诉人（自然人姓名已遮蔽）")
    text: str = Field(description="投诉内容")
    status: str = Field(description="状态：待转交、处理中、延期处理、已反馈、已撤回")
    opened_on: dt.date = Field(description="受理日期")
    due_on: dt.date = Field(description="当前环节办理期限")
    closed: bool = Field(description="已办结")
    history: list[ComplaintStepOut] = Field(description="办理记录")


class ComplaintIn(Schema):
    obligation_id: int = Field(description="履约事项编号（内部）")
    text: str = Field(max_length=1000, description="投诉内容")


class ComplaintActIn(Schema):
    action: str = Field(description="forward 转交处理投诉部门（信用管理部门）；decline 不予受理（信用管理部门）；"
                                    "extend 延长处理期限；answer 形成处理结果并反馈投诉人")
    reason: str = Field(max_length=2000, description="理由或处理结果")
    extend_days: int = Field(0, ge=0, le=60, description="延长天数（仅 extend）")


def _complaint_out(case: Case) -> ComplaintOut:
    reference, _sep, text = case.basis_text.partition("：")
    events = sorted(case.events.all(), key=lambda e: (e.at, e.pk))  # prefetched by the list
    return ComplaintOut(id=case.pk, obligation_id=case.basis_id, reference=reference, debtor_org=case.debtor_org.name if case.debtor_org else "",
                        complainant=case.owed_to, text=text, status=case.status, opened_on=case.opened_on,
                        due_on=case.due_on, closed=case.closed_at is not None,
                        history=[ComplaintStepOut(from_state=e.from_state, to_state=e.to_state, actor=e.actor_name,
                                                  reason=e.reason, at=e.at) for e in events])


@router.get("/complaints", auth=api_auth(access.READ_OBLIGATIONS), response={200: list[ComplaintOut], **ERRORS},
            summary="拖欠款项投诉列表", description="调用者范围内的投诉（被投诉单位为本单位及下级），未办结的在前。")
@paginate(Pagination)
def complaint_list(request: HttpRequest) -> list[ComplaintOut]:
    user = user_of(request)
    rows = visible_complaints(user).prefetch_related("events").order_by("closed_at", "due_on", "pk")
    return [_complaint_out(c) for c in rows[:5000]]


@router.post("/complaints", auth=api_auth(access.FILE_COMPLAINTS), response={201: ComplaintOut, **ERRORS},
             summary="代供应商登记投诉（信用管理部门）",
             description="供应商本人凭编号和查询码在公开查询页面投诉；信用管理部门可代为登记。只能就未履行的事项投诉；"
                         "10 个工作日内须转交处理投诉部门。")
def complaint_create(request: HttpRequest, body: ComplaintIn) -> Status[ComplaintOut]:
    user = user_of(request)
    ob = get_in_scope(visible_obligations(user), pk=body.obligation_id)
    case = complaints.file_on_behalf(ob, text=body.text, actor=user)
    return Status(201, _complaint_out(case))


class PublicComplaintIn(Schema):
    reference: str = Field(max_length=60, description="履约事项编号")
    code: str = Field(max_length=20, description="查询码")
    text: str = Field(max_length=1000, description="投诉内容")


class PublicComplaintOut(Schema):
    id: int = Field(description="投诉编号")
    status: str = Field(description="状态")
    opened_on: dt.date = Field(description="受理日期")
    due_on: dt.date = Field(description="转交期限（10 个工作日）")


@router.post("/track/complaints", auth=None, response={201: PublicComplaintOut, **ERRORS},
             summary="供应商投诉拖欠款项（无需登录）",
             description="凭履约事项编号和查询码（与公开查询页面相同）；编号不存在与查询码不对的回答相同（404）。"
                         "只能就未履行的事项投诉；每次尝试计入频率限制。")
def complaint_public(request: HttpRequest, body: PublicComplaintIn) -> Status[PublicComplaintOut]:
    wait = retry_after(request)
    if wait is not None:
        raise HttpError(429, str(MSG_LIMITED))
    ob = services.find_by_code(body.reference, body.code)
    if ob is None:
        raise Http404(_("编号或查询码不正确"))
    case = complaints.file_by_supplier(ob, text=body.text)
    return Status(201, PublicComplaintOut(id=case.pk, status=case.status, opened_on=case.opened_on, due_on=case.due_on))


@router.get("/complaints/{case_id}", auth=api_auth(access.READ_OBLIGATIONS), response={200: ComplaintOut, **ERRORS},
            summary="拖欠款项投诉详情")
def complaint_detail(request: HttpRequest, case_id: ObjectId) -> ComplaintOut:
    return _complaint_out(get_in_scope(visible_complaints(user_of(request)), pk=case_id))


@router.post("/complaints/{case_id}/act", auth=api_auth(access.READ_OBLIGATIONS),
             response={200: ComplaintOut, **ERRORS}, summary="办理拖欠款项投诉",
             description="待转交 → 处理中（forward，信用管理部门，处理期限改为 30 日后）或 已撤回（decline）；"
                         "处理中 → 延期处理（extend，最长至转交后 90 日）；处理中、延期处理 → 已反馈（answer，被投诉单位"
                         "或信用管理部门）。无权办理该步骤的角色 403；当前状态不允许的步骤 422。")
def complaint_act(request: HttpRequest, case_id: ObjectId, body: ComplaintActIn) -> ComplaintOut:
    user = user_of(request)
    case = get_in_scope(visible_complaints(user), pk=case_id)
    complaints.act(case, body.action, actor=user, reason=body.reason, extend_days=body.extend_days)
    return _complaint_out(visible_complaints(user).get(pk=case.pk))


@router.get("/{obligation_id}", auth=api_auth(access.READ_OBLIGATIONS), response={200: ObligationOut, **ERRORS},
            summary="履约事项详情")
def obligation_detail(request: HttpRequest, obligation_id: ObjectId) -> ObligationOut:
    ob = get_in_scope(visible_obligations(user_of(request)), pk=obligation_id)
    milestone = Milestone.objects.select_related("contract").filter(obligation=ob).first()
    return _out(ob, {ob.pk: milestone} if milestone else None)


@router.post("/candidates/{candidate_id}/confirm", auth=api_auth(access.DECIDE_BREACH_CANDIDATES),
             response={200: CandidateOut, **ERRORS}, summary="确认失信候选（信用管理部门）",
             description="单位（及责任人）的失信记录经档案服务录入，奖惩措施按规则启动。")
def candidate_confirm(request: HttpRequest, candidate_id: ObjectId, body: ConfirmIn) -> CandidateOut:
    user = user_of(request)
    candidate = get_in_scope(visible_candidates(user), pk=candidate_id)
    services.confirm_candidate(candidate, actor=user, severity=body.severity, reason=body.reason,
                               decision_number=body.decision_number, include_person=body.include_person)
    return _candidate_out(candidate)


@router.post("/candidates/{candidate_id}/dismiss", auth=api_auth(access.DECIDE_BREACH_CANDIDATES),
             response={200: CandidateOut, **ERRORS}, summary="驳回失信候选（信用管理部门）")
def candidate_dismiss(request: HttpRequest, candidate_id: ObjectId, body: DismissIn) -> CandidateOut:
    user = user_of(request)
    candidate = get_in_scope(visible_candidates(user), pk=candidate_id)
    services.dismiss_candidate(candidate, actor=user, reason=body.reason)
    return _candidate_out(candidate)
