"""JSON API of objections and credit repairs (mounted at ``/api/remedies/``).

Handlers parse and find the row in the caller's scope (404 outside it); the services decide the rest:
a step the state machine does not allow answers 422 naming the allowed steps, a role without the step
403. ``GET /track`` needs no login: a number and its query code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from govcredit.api.common import API_AUTH, ERRORS, get_in_scope, user_of
from govcredit.archive.selectors import visible_records
from govcredit.core.params import ObjectId

from . import limits, services
from .models import Objection, Repair
from .selectors import open_first, visible_objections, visible_repairs

router = Router(tags=["异议与信用修复"], auth=API_AUTH)


class StepOut(Schema):
    to_state: str = Field(description="状态")
    reason: str = Field(description="理由")
    at: dt.datetime = Field(description="时间")


class RemedyOut(Schema):
    id: int = Field(description="编号（内部）")
    number: str = Field(description="申请编号")
    record_id: int = Field(description="信用记录编号")
    record: str = Field(description="信用记录（类别 文书号）")
    status: str = Field(description="办理状态")
    applicant: str = Field(description="申请人")
    filed_at: dt.datetime = Field(description="提出时间")
    due_on: dt.date = Field(description="当前环节的办理期限")
    overdue: bool = Field(description="已逾期")
    outcome: str = Field(description="处理结果（办结后）")
    outcome_reason: str = Field(description="处理理由（办结后）")
    history: list[StepOut] = Field(description="办理记录")


class ObjectionOut(RemedyOut):
    ground: str = Field(description="异议理由类别")
    reasons: str = Field(description="异议理由")
    extension_reason: str = Field(description="延期理由")


class RepairOut(RemedyOut):
    corrected: str = Field(description="纠正失信行为、履行法定义务情况")
    rule: str = Field(description="不予受理或不予修复的依据")


class ObjectionIn(Schema):
    ground: str = Field(description="异议理由类别：记录内容有误、主体有误、决定已撤销或变更、公示期限有误、其他")
    reasons: str = Field(min_length=1, max_length=2000, description="异议理由")


class FiledOut(Schema):
    number: str = Field(description="申请编号")
    code: str = Field(description="查询码（只显示这一次，凭编号和查询码在公开页面查询进度）")


class ObjectionActionIn(Schema):
    action: str = Field(description="accept 受理、refuse 不予受理、extend 延期（一次）、correct 更正、revoke 撤销、uphold 维持")
    reason: str = Field(min_length=1, max_length=2000, description="理由（写入办理记录和留痕，申请人可见）")
    values: dict[str, Any] | None = Field(None, description="更正后的记录内容（仅 correct；与 /api/records/{id}/correct 相同）")


class RepairActionIn(Schema):
    action: str = Field(description="accept 受理、refuse 不予受理、approve 准予修复、reject 不予修复")
    reason: str = Field(min_length=1, max_length=2000, description="理由（写入办理记录和留痕，申请人可见）")
    rule: str = Field("", max_length=200, description="不予受理或不予修复所依据的规定（refuse、reject 必填）")


class TrackIn(Schema):
    number: str = Field(max_length=20, description="申请编号")
    code: str = Field(max_length=20, description="查询码")


class TrackOut(Schema):
    number: str = Field(description="申请编号")
    kind: str = Field(description="事项")
    record: str = Field(description="信用记录（类别、决定机关、决定日期）")
    status: str = Field(description="办理状态")
    due_on: dt.date = Field(description="当前环节的办理期限")
    outcome: str = Field(description="处理结果")
    outcome_reason: str = Field(description="处理理由")
    history: list[StepOut] = Field(description="办理记录")


def _history(row: Objection | Repair) -> list[StepOut]:
    events = sorted(row.case.events.all(), key=lambda e: (e.at, e.pk))  # prefetched by the lists
    return [StepOut(to_state=e.to_state, reason=e.reason, at=e.at) for e in events]


def _common(row: Objection | Repair) -> dict[str, Any]:
    return {"id": row.pk, "number": row.number, "record_id": row.record_id,
            "record": f"{row.record.record_type.name} {row.record.decision_number}", "status": row.case.status,
            "applicant": row.applicant_name, "filed_at": row.created_at, "due_on": row.case.due_on,
            "overdue": row.case.overdue_at is not None and row.case.closed_at is None, "outcome": row.outcome,
            "outcome_reason": row.outcome_reason, "history": _history(row)}


def objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut(**_common(o), ground=o.ground, reasons=o.reasons, extension_reason=o.extension_reason)


def repair_out(r: Repair) -> RepairOut:
    return RepairOut(**_common(r), corrected=r.corrected, rule=r.rule)


@router.get("/objections", response={200: list[ObjectionOut], **ERRORS}, summary="异议列表",
            description="调用者范围内的异议（信用主体：关于本单位、本人的记录；部门：本单位及下级报送的记录），"
                        "未办结的按办理期限在前。最多 100 条。")
def objection_list(request: HttpRequest) -> list[ObjectionOut]:
    rows = open_first(visible_objections(user_of(request))).prefetch_related("case__events")[:100]
    return [objection_out(o) for o in rows]


@router.post("/records/{record_id}/objections", response={201: FiledOut, **ERRORS}, summary="提出异议（信用主体）",
             description="仅信用主体，就关于本单位、本人的记录；记录随即标注“异议中”，案件交报送该记录的部门办理。"
                         "附件请在页面上传。")
def objection_create(request: HttpRequest, record_id: ObjectId, body: ObjectionIn) -> Status[FiledOut]:
    user = user_of(request)
    record = get_in_scope(visible_records(user), pk=record_id)
    filed = services.file_objection(record, ground=body.ground, reasons=body.reasons, files=[], user=user)
    return Status(201, FiledOut(number=filed.number, code=filed.code))


@router.get("/objections/{objection_id}", response={200: ObjectionOut, **ERRORS}, summary="异议详情")
def objection_detail(request: HttpRequest, objection_id: ObjectId) -> ObjectionOut:
    return objection_out(get_in_scope(visible_objections(user_of(request)), pk=objection_id))


@router.post("/objections/{objection_id}/act", response={200: ObjectionOut, **ERRORS}, summary="办理异议",
             description="按异议的状态机：待受理 → 核查中 或 不予受理；核查中 → 延期核查（一次）；核查中、延期核查 → "
                         "已更正、已撤销 或 维持原记录。不允许的步骤（重复办结、未受理先办结）返回 422 并列出可办理的步骤。")
def objection_act(request: HttpRequest, objection_id: ObjectId, body: ObjectionActionIn) -> ObjectionOut:
    user = user_of(request)
    objection = get_in_scope(visible_objections(user), pk=objection_id)
    services.act_on_objection(objection, body.action, user, body.reason, body.values)
    return objection_out(Objection.objects.select_related("record", "record__record_type", "case").get(pk=objection.pk))


@router.get("/repairs", response={200: list[RepairOut], **ERRORS}, summary="信用修复申请列表",
            description="调用者范围内的信用修复申请，未办结的按办理期限在前。最多 100 条。")
def repair_list(request: HttpRequest) -> list[RepairOut]:
    rows = open_first(visible_repairs(user_of(request))).prefetch_related("case__events")[:100]
    return [repair_out(r) for r in rows]


@router.get("/repairs/{repair_id}", response={200: RepairOut, **ERRORS}, summary="信用修复申请详情")
def repair_detail(request: HttpRequest, repair_id: ObjectId) -> RepairOut:
    return repair_out(get_in_scope(visible_repairs(user_of(request)), pk=repair_id))


@router.post("/repairs/{repair_id}/act", response={200: RepairOut, **ERRORS}, summary="办理信用修复申请",
             description="待受理 → 审核中 或 不予受理；审核中 → 已修复 或 不予修复。准予修复时记录标为“已修复”，"
                         "公开网站随即撤下；不允许的步骤返回 422。信用修复申请须附签署的信用承诺书，请在页面提出。")
def repair_act(request: HttpRequest, repair_id: ObjectId, body: RepairActionIn) -> RepairOut:
    user = user_of(request)
    repair = get_in_scope(visible_repairs(user), pk=repair_id)
    services.act_on_repair(repair, body.action, user, body.reason, body.rule)
    return repair_out(Repair.objects.select_related("record", "record__record_type", "case").get(pk=repair.pk))


@router.get("/track", response={200: TrackOut, **ERRORS}, auth=None, summary="查询办理进度（无需登录）",
            description="凭申请编号和查询码；编号不存在与查询码不对的回答相同（404）。")
def track(request: HttpRequest, query: Query[TrackIn]) -> TrackOut:
    wait = limits.retry_after(request)
    if wait is not None:
        raise HttpError(429, str(limits.MSG_LIMITED))
    row = services.find_by_code(query.number, query.code)
    if row is None:
        raise Http404(_(services.MSG_NOT_FOUND))
    r = row.record
    return TrackOut(number=row.number, kind="信用修复申请" if isinstance(row, Repair) else "信用信息异议",
                    record=f"{r.record_type.name}，{r.authority_name}，{r.decision_date:%Y-%m-%d}", status=row.case.status,
                    due_on=row.case.due_on, outcome=row.outcome, outcome_reason=row.outcome_reason,
                    history=_history(row))
