"""JSON API of the workflow engine (mounted at ``/api/workflow/``): the inbox, a case, its transitions.

Handlers only parse and find the case in the caller's scope (404 outside it); the engine
(:func:`.services.transition`, :func:`.services.attach_evidence`) decides everything else.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.files import UploadedFile
from ninja.params import functions as param
from ninja.responses import Status

from govcredit.api.common import ERRORS, get_in_scope, invalid, user_of
from govcredit.core.params import ObjectId

from . import kinds, services
from .models import Case
from .selectors import visible_cases

router = Router(tags=["办理事项"])


class KindCountOut(Schema):
    kind: str = Field(description="事项类型")
    count: int = Field(description="待办数")


class CaseOut(Schema):
    id: int = Field(description="编号")
    kind: str = Field(description="事项类型代码")
    kind_label: str = Field(description="事项类型")
    status: str = Field(description="状态")
    debtor: str = Field(description="责任单位或责任人")
    owed_to: str = Field(description="履行对象")
    basis: str = Field(description="依据")
    opened_on: dt.date = Field(description="立案日期")
    due_on: dt.date = Field(description="办理期限")
    overdue: bool = Field(description="已逾期")
    escalated: bool = Field(description="已督办")
    closed: bool = Field(description="已办结")
    next_states: list[str] = Field(description="当前状态可转入的状态（是否有权办理另行判断）")
    waits_on_me: bool | None = Field(None, description="待本人办理或本单位履行（否：本人关注的事项，如就本人记录提出的异议；"
                                                       "仅待办列表给出）")


class EventOut(Schema):
    from_state: str = Field(description="原状态")
    to_state: str = Field(description="新状态")
    actor: str = Field(description="操作人")
    reason: str = Field(description="理由")
    at: dt.datetime = Field(description="时间")


class EvidenceOut(Schema):
    id: int = Field(description="编号")
    name: str = Field(description="文件名")
    content_type: str = Field(description="文件类型")
    size: int = Field(description="大小（字节）")
    sha256: str = Field(description="SHA-256")


class CaseDetailOut(CaseOut):
    history: list[EventOut] = Field(description="办理记录")
    evidence: list[EvidenceOut] = Field(description="佐证材料")


class InboxOut(Schema):
    total: int = Field(description="待办事项数")
    overdue: int = Field(description="其中已逾期")
    unread: int = Field(description="未读通知数")
    following: int = Field(description="其中本人关注、由他方办理的事项数（如就本人记录提出的异议、信用修复）")
    by_kind: list[KindCountOut] = Field(description="按事项类型的待办数")
    items: list[CaseOut] = Field(description="待办事项（按办理期限，最多 100 件）")


class TransitionIn(Schema):
    to_state: str = Field(min_length=1, max_length=20, description="新状态")
    reason: str = Field(min_length=1, max_length=500, description="理由（写入办理记录和留痕）")


def case_out(case: Case) -> CaseOut:
    kind = kinds.get(case.kind)
    debtor = case.debtor_person.name if case.debtor_person else (case.debtor_org.name if case.debtor_org else "")
    return CaseOut(id=case.pk, kind=case.kind, kind_label=kind.label, status=case.status, debtor=debtor,
                   owed_to=case.owed_to, basis=case.basis_text, opened_on=case.opened_on, due_on=case.due_on,
                   overdue=case.overdue_at is not None, escalated=case.escalated_at is not None,
                   closed=case.closed_at is not None,
                   next_states=[s.target for s in kind.steps if s.source == case.status],
                   waits_on_me=getattr(case, "waits_on_me", None))


def _detail(case: Case) -> CaseDetailOut:
    events = [EventOut(from_state=e.from_state, to_state=e.to_state, actor=e.actor_name, reason=e.reason, at=e.at)
              for e in case.events.order_by("at", "pk")]
    evidence = [EvidenceOut(id=e.pk, name=e.name, content_type=e.content_type, size=e.size, sha256=e.sha256)
                for e in case.evidence.order_by("uploaded_at", "pk")]
    return CaseDetailOut(**case_out(case).dict(), history=events, evidence=evidence)


@router.get("/inbox", response={200: InboxOut, **ERRORS}, summary="我的待办",
            description="等待本人办理或本单位履行的未办结事项，以及本人关注、由他方办理的事项（如信用主体就本人记录"
                        "提出的异议、信用修复），及计数；每个登录用户都有。")
def inbox(request: HttpRequest) -> InboxOut:
    box = services.inbox(user_of(request))
    return InboxOut(total=box.total, overdue=box.overdue, unread=box.unread, following=box.following,
                    by_kind=[KindCountOut(kind=k, count=n) for k, n in box.by_kind],
                    items=[case_out(c) for c in box.cases[:100]])


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="办理事项详情")
def case_detail(request: HttpRequest, case_id: ObjectId) -> CaseDetailOut:
    return _detail(get_in_scope(visible_cases(user_of(request)), pk=case_id))


@router.post("/cases/{case_id}/transition", response={200: CaseDetailOut, **ERRORS}, summary="办理（状态转换）",
             description="按事项类型的状态机转换；不允许的转换返回 422，角色无权返回 403，范围以外返回 404；"
                         "须在其业务页面或专用接口办理的事项（如异议、信用修复）返回 422。")
def case_transition(request: HttpRequest, case_id: ObjectId, body: TransitionIn) -> CaseDetailOut:
    user = user_of(request)
    case = get_in_scope(visible_cases(user), pk=case_id)
    handled_by = kinds.get(case.kind).handled_by
    if handled_by:
        invalid("to_state", f"该事项须通过{handled_by}办理，办理结果随之生效；此处不能直接转换状态")
    return _detail(services.transition(case, body.to_state, user, body.reason))


@router.post("/cases/{case_id}/evidence", response={201: EvidenceOut, **ERRORS}, summary="上传佐证材料",
             description="PDF、JPEG 或 PNG（按文件内容识别），大小受限；按 SHA-256 保存。")
def case_evidence(request: HttpRequest, case_id: ObjectId,
                  file: UploadedFile | None = param.File(None, description="PDF、JPEG 或 PNG 文件")  # noqa: B008
                  ) -> Status[EvidenceOut]:
    user = user_of(request)
    case = get_in_scope(visible_cases(user), pk=case_id)  # scope first: outside it the answer is 404
    if file is None:
        invalid("file", "请上传佐证材料文件")
    limit = services.evidence_max_bytes()
    data = file.read(limit + 1)
    e = services.attach_evidence(case, file.name or "", data, user)
    return Status(201, EvidenceOut(id=e.pk, name=e.name, content_type=e.content_type, size=e.size, sha256=e.sha256))
