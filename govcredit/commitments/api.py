"""JSON API of PPP projects and investment promises (mounted at ``/api/commitments/``).

Lists use the same selectors and filters as the pages; an object outside the caller's scope answers 404.
``POST /promises/{id}/change`` is the change service: without a legal basis or the procedure it answers
422 naming the field, and changes nothing.
"""


import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, get_in_scope, user_of
from govcredit.core import clock
from govcredit.core.params import ObjectId

from . import services
from .filters import filter_projects, filter_promises
from .models import PPPProject, Promise
from .selectors import visible_projects, visible_promises, with_duty_counts

router = Router(tags=["PPP项目与招商引资承诺"], auth=api_auth(access.READ_COMMITMENTS))


class ProjectOut(Schema):
    id: int = Field(description="编号（内部）")
    number: str = Field(description="项目编号")
    name: str = Field(description="项目名称")
    org: str = Field(description="实施机构")
    partner_name: str = Field(description="社会资本方")
    investment: Decimal = Field(description="总投资（万元）")
    stage: str = Field(description="当前阶段：识别、准备、采购、执行、移交、已移交")
    open_duties: int = Field(description="未履行义务数")
    overdue_duties: int = Field(description="逾期未履行义务数")

    @staticmethod
    def resolve_org(obj: PPPProject) -> str:
        return obj.org.name

    @staticmethod
    def resolve_open_duties(obj: Any) -> int:
        return int(getattr(obj, "n_open", 0))

    @staticmethod
    def resolve_overdue_duties(obj: Any) -> int:
        return int(getattr(obj, "n_overdue", 0))


class ProjectFilterIn(Schema):
    q: str = Field("", max_length=50, description="项目名称或编号（包含）")
    stage: str = Field("", description="阶段")


class PromiseOut(Schema):
    id: int = Field(description="编号（内部）")
    number: str = Field(description="承诺编号")
    org: str = Field(description="承诺单位")
    investor_name: str = Field(description="投资方")
    kind: str = Field(description="承诺类别")
    terms: str = Field(description="承诺内容")
    legal_basis: str = Field(description="法律政策依据")
    document: str = Field(description="合同或文件编号")
    amount: Decimal | None = Field(description="金额（万元）")
    promised_on: dt.date = Field(description="承诺日期")
    due_on: dt.date = Field(description="兑现期限")
    status: str = Field(description="状态")
    responsible_post: str = Field(description="责任岗位")
    maker: str | None = Field(description="承诺时在任的责任人")
    holder: str | None = Field(description="现任责任人")

    @staticmethod
    def resolve_org(obj: Promise) -> str:
        return obj.org.name

    @staticmethod
    def resolve_maker(obj: Any) -> str | None:
        return getattr(obj, "maker", None)

    @staticmethod
    def resolve_holder(obj: Any) -> str | None:
        return getattr(obj, "holder", None)


class PromiseFilterIn(Schema):
    q: str = Field("", max_length=50, description="编号、投资方或文件（包含）")
    status: str = Field("", description="状态")
    turnover: bool = Field(False, description="仅前任作出、尚未兑现的承诺（作出于现任责任人任职之前）")


class ChangeIn(Schema):
    legal_basis: str = Field("", max_length=300, description="变更的法律依据（必填）")
    procedure: str = Field("", max_length=300, description="履行的程序：决策文件、会议纪要编号（必填）")
    reason: str = Field("", max_length=2000, description="变更理由（必填）")
    decided_on: dt.date = Field(description="决定日期")
    new_terms: str = Field("", max_length=2000, description="变更后承诺内容（不变则留空）")
    new_due_on: dt.date | None = Field(None, description="新兑现期限")
    new_amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="新金额（万元）")
    terminates: bool = Field(False, description="依法解除承诺")


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="PPP项目列表",
            description="调用者范围内的PPP项目（区政府：本区），按项目编号。")
@paginate(Pagination)
def project_list(request: HttpRequest, filters: Query[ProjectFilterIn]) -> QuerySet[PPPProject]:
    user = user_of(request)
    rows = with_duty_counts(visible_projects(user), clock.today())
    return filter_projects(rows, q=filters.q, stage=filters.stage).order_by("number", "pk")


@router.get("/promises", response={200: list[PromiseOut], **ERRORS}, summary="招商引资承诺列表",
            description="调用者范围内的承诺（区政府：本区），按兑现期限；turnover=true 只列前任作出、尚未兑现的承诺。")
@paginate(Pagination)
def promise_list(request: HttpRequest, filters: Query[PromiseFilterIn]) -> QuerySet[Promise]:
    user = user_of(request)
    rows = filter_promises(visible_promises(user), clock.today(), q=filters.q, status=filters.status,
                           turnover=filters.turnover)
    return rows.order_by("due_on", "pk")


@router.get("/promises/{promise_id}", response={200: PromiseOut, **ERRORS}, summary="招商引资承诺详情")
def promise_detail(request: HttpRequest, promise_id: ObjectId) -> Promise:
    return get_in_scope(filter_promises(visible_promises(user_of(request)), clock.today()), pk=promise_id)


@router.post("/promises/{promise_id}/change", response={200: PromiseOut, **ERRORS}, summary="依法变更承诺",
             description="须有变更的法律依据、履行的程序和理由，缺一则 422 且不作任何变更；原内容和新内容均留存。")
def promise_change(request: HttpRequest, promise_id: ObjectId, body: ChangeIn) -> Promise:
    user = user_of(request)
    promise = get_in_scope(visible_promises(user), pk=promise_id)
    if not access.can_manage_commitments(user, promise.org):
        raise PermissionDenied(_("您的角色无权进行此操作"))
    services.change_promise(promise, legal_basis=body.legal_basis, procedure=body.procedure, reason=body.reason,
                            decided_on=body.decided_on, new_terms=body.new_terms, new_due_on=body.new_due_on,
                            new_amount=body.new_amount, terminates=body.terminates, actor=user)
    return get_in_scope(filter_promises(visible_promises(user), clock.today()), pk=promise_id)

