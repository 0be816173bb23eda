"""JSON API of the obligations register (mounted at ``/api/obligations/``): obligations in the caller's
scope, breach candidates and the credit office's decision on them, suppliers' complaints about
non-payment (filed by the credit office on a supplier's behalf, forwarded, extended, answered), and the
procurement contracts a buying department enters (``/contracts``: registered with their payment milestones,
then delivery and inspection, a delayed inspection, confirmed settlements, invoices, payments — the steps of
the contract pages, through the same services). Handlers find the row in the caller's scope (404 outside
it); the services and the workflow engine decide the rest: a step by the wrong role answers 403, a step the
complaint's or contract's state does not allow 422 (and writes nothing)."""


import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.db.models import Min, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StringConstraints

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.api.common import ERRORS, Pagination, api_auth, forbidden, get_in_scope, invalid, user_of
from govcredit.core import clock
from govcredit.core.params import Day, ObjectId
from govcredit.remedies.limits import MSG_LIMITED, retry_after
from govcredit.workflow.models import Case

from . import complaints, entry, procurement, services
from .models import OWED, BreachCandidate, Contract, Milestone, MilestoneRule, Obligation
from .selectors import (
    managed_orgs,
    visible_candidates,
    visible_complaints,
    visible_contracts,
    visible_obligations,
)

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


# --- procurement contracts (the contract pages' steps, same services, same roles and scope) -------------

Text = Annotated[str, StringConstraints(strip_whitespace=True)]  # trimmed, as the pages' form fields are
Amount = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]


class MilestoneOut(Schema):
    id: int = Field(description="付款节点编号")
    seq: int = Field(description="期次")
    label: str = Field(description="款项")
    amount: Decimal = Field(description="金额（元）")
    rule: str = Field(description="起算：交付、检验验收、结算确认")
    settled_on: dt.date | None = Field(description="结算金额确认日期")
    period_start: dt.date | None = Field(description="付款期限起算日（尚不能确定为空）")
    due_on: dt.date | None = Field(description="付款期限（尚未起算为空）")
    paid_amount: Decimal = Field(description="已付金额（元）")
    paid_on: dt.date | None = Field(description="付清日期")
    obligation_id: int | None = Field(description="履约事项编号（起算后登记）")
    obligation_status: str | None = Field(description="履约事项状态")
    interest: Decimal = Field(description="逾期利息（元，计至今日）")


class InvoiceOut(Schema):
    id: int = Field(description="发票编号（内部）")
    number: str = Field(description="发票号码")
    amount: Decimal = Field(description="金额（元）")
    issued_on: dt.date = Field(description="开票日期")


class PaymentOut(Schema):
    id: int = Field(description="付款编号")
    milestone_id: int = Field(description="付款节点编号")
    amount: Decimal = Field(description="金额（元）")
    paid_on: dt.date = Field(description="支付日期")
    voucher: str = Field(description="凭证号")


class ContractFields(Schema):
    id: int = Field(description="合同编号（内部）")
    number: str = Field(description="合同编号")
    name: str = Field(description="合同名称")
    buyer_id: int = Field(description="采购单位编号")
    buyer: str = Field(description="采购单位")
    supplier: str = Field(description="供应商（自然人姓名已遮蔽）")
    supplier_is_sme: bool = Field(description="中小企业（供应商声明）")
    amount: Decimal = Field(description="合同金额（元）")
    signed_on: dt.date = Field(description="签订日期")
    payment_days: int = Field(description="付款期限（日）")
    inspection_days: int | None = Field(description="约定检验验收期限（日）")
    delivered_on: dt.date | None = Field(description="交付日期")
    accepted_on: dt.date | None = Field(description="检验验收合格日期")
    next_due: dt.date | None = Field(None, description="未付清节点中最早的付款期限")


class ContractOut(ContractFields):
    """A row of the list, read from the contract (annotated with ``next_due``)."""

    @staticmethod
    def resolve_buyer(obj: Contract) -> str:
        return obj.buyer.name

    @staticmethod
    def resolve_supplier(obj: Contract) -> str:
        return obj.supplier_label


class ContractDetailOut(ContractFields):
    supplier_code: str = Field(description="供应商统一社会信用代码")
    agreed_daily_rate: Decimal | None = Field(description="约定逾期利率（日）")
    lpr_at_signing: Decimal | None = Field(description="签订时一年期LPR（年）")
    daily_rate: Decimal = Field(description="适用的逾期利率（日）：约定利率不低于签订时LPR，未约定为万分之五")
    inspection_deadline: dt.date | None = Field(description="约定检验验收期限届满日")
    total_interest: Decimal = Field(description="合同逾期利息合计（元，计至今日）")
    milestones: list[MilestoneOut] = Field(description="付款节点")
    invoices: list[InvoiceOut] = Field(description="发票")
    payments: list[PaymentOut] = Field(description="付款记录")


class ContractFilter(Schema):
    q: str | None = Field(None, max_length=50, description="合同编号、名称或供应商（包含）")


class MilestoneIn(Schema):
    label: Text = Field(min_length=1, max_length=100, description="款项（如 全款、预付款、验收款）")
    amount: Amount = Field(description="金额（元）")
    rule: MilestoneRule = Field(MilestoneRule.DELIVERY, description="起算：交付（自交付之日起）、检验验收（自检验验收合格之日起）、"
                                                                   "结算确认（自双方确认结算金额之日起）")


class ContractIn(Schema):
    buyer_id: ObjectId = Field(description="采购单位编号（本单位或下级单位；信用管理部门不限）")
    number: Text = Field(min_length=1, max_length=60, description="合同编号（不可重复）")
    name: Text = Field(min_length=1, max_length=200, description="合同名称")
    supplier_name: Text = Field(min_length=1, max_length=200, description="供应商名称")
    supplier_code: Text = Field("", max_length=18, description="供应商统一社会信用代码")
    supplier_is_sme: bool = Field(False, description="中小企业（供应商声明）：付款期限最长 60 日")
    supplier_is_person: bool = Field(False, description="供应商为自然人（姓名对外遮蔽）")
    amount: Amount = Field(description="合同金额（元）")
    signed_on: Day = Field(description="签订日期")
    payment_days: int = Field(procurement.DEFAULT_PAYMENT_DAYS, ge=1, le=365, description="付款期限（日，默认 30）")
    inspection_days: int | None = Field(None, ge=0, le=365, description="约定检验验收期限（日）")
    agreed_daily_rate: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=8,
                                              description="约定逾期利率（日，如 0.0005；不填按每日万分之五）")
    lpr_at_signing: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=6,
                                           description="签订时一年期LPR（年，如 0.031）")
    milestones: list[MilestoneIn] = Field(min_length=1, max_length=50, description="付款节点（金额合计不超过合同金额）")


class DeliveryIn(Schema):
    delivered_on: Day | None = Field(None, description="交付日期")
    accepted_on: Day | None = Field(None, description="检验验收合格日期（不早于交付日期）")
    reason: Text = Field("", max_length=500, description="说明（写入留痕记录）")


class DelayIn(Schema):
    reason: Text = Field("", max_length=500, description="说明（如：采购人未在约定期限内组织验收）；不填用标准理由")


class SettlementIn(Schema):
    milestone_id: ObjectId = Field(description="付款节点编号（按结算确认起算、未付清）")
    settled_on: Day = Field(description="结算金额确认日期")
    amount: Amount | None = Field(None, description="确认的结算金额（元，不变则不填）")
    reason: Text = Field("", max_length=500, description="说明")


class InvoiceIn(Schema):
    number: Text = Field(min_length=1, max_length=40, description="发票号码（同一合同内不可重复）")
    amount: Amount = Field(description="金额（元）")
    issued_on: Day = Field(description="开票日期")


class PaymentIn(Schema):
    milestone_id: ObjectId = Field(description="付款节点编号（未付清）")
    amount: Amount = Field(description="金额（元，不超过该节点未付金额）")
    paid_on: Day = Field(description="支付日期（不晚于今天）")
    voucher: Text = Field("", max_length=60, description="凭证号")


def _contract_out(contract: Contract) -> ContractDetailOut:
    """The contract as its page shows it: milestones with their period's start, due date and interest to today."""
    today = clock.today()
    milestones = list(contract.milestones.select_related("obligation").prefetch_related("payments").order_by("seq"))
    rows = []
    for m in milestones:
        m.contract = contract  # the interest reads the contract's rate: no query per milestone
        ob = m.obligation
        rows.append(MilestoneOut(
            id=m.pk, seq=m.seq, label=m.label, amount=m.amount, rule=m.rule, settled_on=m.settled_on,
            period_start=procurement.period_start(contract, m, today), due_on=m.due_on, paid_amount=m.paid_amount,
            paid_on=m.paid_on, obligation_id=m.obligation_id, obligation_status=ob.status if ob is not None else None,
            interest=procurement.milestone_interest(m, today)))
    unpaid = [m.due_on for m in milestones if m.paid_on is None and m.due_on is not None]
    return ContractDetailOut(
        id=contract.pk, number=contract.number, name=contract.name, buyer_id=contract.buyer_id, buyer=contract.buyer.name,
        supplier=contract.supplier_label, supplier_is_sme=contract.supplier_is_sme, amount=contract.amount,
        signed_on=contract.signed_on, payment_days=contract.payment_days, inspection_days=contract.inspection_days,
        delivered_on=contract.delivered_on, accepted_on=contract.accepted_on, next_due=min(unpaid, default=None),
        supplier_code=contract.supplier_code, agreed_daily_rate=contract.agreed_daily_rate,
        lpr_at_signing=contract.lpr_at_signing, daily_rate=procurement.daily_rate(contract),
        inspection_deadline=entry.inspection_deadline(contract),
        total_interest=sum((r.interest for r in rows), Decimal("0.00")), milestones=rows,
        invoices=[InvoiceOut(id=i.pk, number=i.number, amount=i.amount, issued_on=i.issued_on)
                  for i in contract.invoices.order_by("issued_on", "pk")],
        payments=[PaymentOut(id=p.pk, milestone_id=m.pk, amount=p.amount, paid_on=p.paid_on, voucher=p.voucher)
                  for m in milestones for p in m.payments.all()])


def _managed_contract(request: HttpRequest, contract_id: int) -> tuple[User, Contract]:
    """The contract in the caller's scope (404 outside it) that the caller may enter steps for (else 403)."""
    user = user_of(request)
    contract = get_in_scope(visible_contracts(user), pk=contract_id)
    if not access.can_manage_obligations(user, contract.buyer):
        forbidden()
    return user, contract


def _unpaid_milestone(contract: Contract, milestone_id: int) -> Milestone:
    m = contract.milestones.filter(pk=milestone_id, paid_on__isnull=True).first()
    if m is None:
        invalid("milestone_id", _("该合同没有这个未付清的付款节点"))
    return m


def _reloaded(user: User, contract: Contract) -> ContractDetailOut:
    return _contract_out(visible_contracts(user).get(pk=contract.pk))


@router.get("/contracts", auth=api_auth(access.READ_OBLIGATIONS), response={200: list[ContractOut], **ERRORS},
            summary="采购合同列表",
            description="调用者可见范围内的采购合同（采购单位为本单位及下级单位；信用管理部门全部），签订日期新的在前。")
@paginate(Pagination)
def contract_list(request: HttpRequest, filters: Query[ContractFilter]) -> QuerySet[Contract]:
    qs = visible_contracts(user_of(request)).annotate(
        next_due=Min("milestones__due_on", filter=Q(milestones__paid_on__isnull=True)))
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(name__icontains=q) | Q(supplier_name__icontains=q))
    return qs.order_by("-signed_on", "-pk")


@router.post("/contracts", auth=api_auth(access.MANAGE_OBLIGATIONS), response={201: ContractDetailOut, **ERRORS},
             summary="登记采购合同",
             description="采购合同及其付款节点（各写入留痕记录）；已能起算的节点即登记为履约事项。采购单位须在调用者范围内"
                         "（范围外 404）；向中小企业付款的期限超过 60 日、节点金额合计超过合同金额等 422；合同编号已登记 409。")
def contract_create(request: HttpRequest, payload: ContractIn) -> Status[ContractDetailOut]:
    user = user_of(request)
    buyer = get_in_scope(managed_orgs(user), pk=payload.buyer_id)
    if not access.can_manage_obligations(user, buyer):
        forbidden()
    contract = procurement.register_contract(
        number=payload.number, name=payload.name, buyer=buyer, supplier_name=payload.supplier_name,
        supplier_code=payload.supplier_code, supplier_is_sme=payload.supplier_is_sme,
        supplier_is_person=payload.supplier_is_person, amount=payload.amount, signed_on=payload.signed_on,
        payment_days=payload.payment_days, inspection_days=payload.inspection_days,
        agreed_daily_rate=payload.agreed_daily_rate, lpr_at_signing=payload.lpr_at_signing,
        milestones=[procurement.MilestoneSpec(m.label, m.amount, m.rule.value) for m in payload.milestones], actor=user)
    return Status(201, _reloaded(user, contract))


@router.get("/contracts/{contract_id}", auth=api_auth(access.READ_OBLIGATIONS),
            response={200: ContractDetailOut, **ERRORS}, summary="采购合同详情",
            description="合同、付款节点（起算日、付款期限、计至今日的逾期利息）、发票和付款记录。")
def contract_detail(request: HttpRequest, contract_id: ObjectId) -> ContractDetailOut:
    return _contract_out(get_in_scope(visible_contracts(user_of(request)), pk=contract_id))


@router.post("/contracts/{contract_id}/delivery", auth=api_auth(access.MANAGE_OBLIGATIONS),
             response={200: ContractDetailOut, **ERRORS}, summary="登记交付、检验验收",
             description="交付日期和/或检验验收合格日期（不晚于今天，验收不早于交付）；付款期限随之重新计算。")
def contract_delivery(request: HttpRequest, contract_id: ObjectId, payload: DeliveryIn) -> ContractDetailOut:
    user, contract = _managed_contract(request, contract_id)
    if payload.delivered_on is None and payload.accepted_on is None:
        invalid("delivered_on", _("请填写交付日期或检验验收合格日期"))
    procurement.record_delivery(contract, delivered_on=payload.delivered_on, accepted_on=payload.accepted_on, actor=user,
                                reason=payload.reason)
    return _reloaded(user, contract)


@router.post("/contracts/{contract_id}/inspection-delay", auth=api_auth(access.MANAGE_OBLIGATIONS),
             response={200: ContractDetailOut, **ERRORS}, summary="采购人拖延检验验收",
             description="已交付、约定了检验验收期限、期限届满仍未验收：自检验验收合格之日起算的节点改自期限届满之日起算"
                         "（条例 第十条）。未交付、未约定期限、已验收或期限未届满 422。每日任务也会自动认定。")
def contract_inspection_delay(request: HttpRequest, contract_id: ObjectId, payload: DelayIn) -> ContractDetailOut:
    user, contract = _managed_contract(request, contract_id)
    entry.record_inspection_delay(contract, actor=user, reason=payload.reason)
    return _reloaded(user, contract)


@router.post("/contracts/{contract_id}/settlement", auth=api_auth(access.MANAGE_OBLIGATIONS),
             response={200: ContractDetailOut, **ERRORS}, summary="登记结算金额确认",
             description="双方确认了分期结算的金额：该节点自确认之日起算（可同时改为确认的金额）。")
def contract_settlement(request: HttpRequest, contract_id: ObjectId, payload: SettlementIn) -> ContractDetailOut:
    user, contract = _managed_contract(request, contract_id)
    m = _unpaid_milestone(contract, payload.milestone_id)
    procurement.confirm_settlement(m, settled_on=payload.settled_on, amount=payload.amount, actor=user, reason=payload.reason)
    return _reloaded(user, contract)


@router.post("/contracts/{contract_id}/invoices", auth=api_auth(access.MANAGE_OBLIGATIONS),
             response={200: ContractDetailOut, **ERRORS}, summary="登记发票",
             description="同一合同的发票号码已登记 409。")
def contract_invoice(request: HttpRequest, contract_id: ObjectId, payload: InvoiceIn) -> ContractDetailOut:
    user, contract = _managed_contract(request, contract_id)
    procurement.record_invoice(contract, number=payload.number, amount=payload.amount, issued_on=payload.issued_on, actor=user)
    return _reloaded(user, contract)


@router.post("/contracts/{contract_id}/payments", auth=api_auth(access.MANAGE_OBLIGATIONS),
             response={200: ContractDetailOut, **ERRORS}, summary="登记付款",
             description="一个未付清节点的付款（不超过其未付金额）；付清时其履约事项于支付日履行。")
def contract_payment(request: HttpRequest, contract_id: ObjectId, payload: PaymentIn) -> ContractDetailOut:
    user, contract = _managed_contract(request, contract_id)
    m = _unpaid_milestone(contract, payload.milestone_id)
    procurement.record_payment(m, amount=payload.amount, paid_on=payload.paid_on, voucher=payload.voucher, actor=user)
    return _reloaded(user, contract)


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
