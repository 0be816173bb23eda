"""JSON API of the obligations register (mounted at ``/api/obligations/``): obligations in the caller's
scope, breach candidates and the credit office's decision on them. Handlers find the row in the
caller's scope (404 outside it); the services decide the rest."""


import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, get_in_scope, user_of
from govcredit.core.params import ObjectId

from . import procurement, services
from .models import OWED, BreachCandidate, Milestone, Obligation
from .selectors import visible_candidates, visible_obligations

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
