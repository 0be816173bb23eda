"""Public JSON API of the portal (mounted at ``/api/portal/``): the same search and detail as the pages.

No authentication (``auth=None``); the same rules as the pages: masked values only, withdrawn
records 404, inputs over 50 characters and one-character names refused with 400, at most 50
pages (a later page is a 400 here rather than clamped), per-address rate limits (429 with
``Retry-After``). Every error body is ``{"detail": "<中文说明>"}``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from govcredit.core import clock
from govcredit.core.params import ObjectId

from . import answers, search
from .detail import public_detail
from .ratelimit import MSG_LIMITED, retry_after

router = Router(auth=None, tags=["信用信息公示（公开）"])

MSG_NOT_FOUND = "该信息不存在或已撤下（公示期满、决定撤销或变更、信用修复）。"


class PortalError(Schema):
    detail: str = Field(description="中文错误说明")


class HitOut(Schema):
    id: int = Field(description="公示编号（详情：/api/portal/records/{id}）")
    name: str = Field(description="公开名称（自然人已脱敏）")
    credit_code: str = Field(description="统一社会信用代码（自然人为空）")
    type: str = Field(description="类别")
    decision_number: str = Field(description="决定文书号")
    authority: str = Field(description="决定机关")
    decision_date: dt.date = Field(description="决定日期")
    visible_until: dt.date = Field(description="公示截止")
    status: str = Field(description="状态：有效 或 异议中")
    objection: bool = Field(description="是否异议中")


class SearchOut(Schema):
    count: int = Field(description=f"符合条件的条数（最多计到 {search.form.MAX_RESULTS}，超过时 capped 为 true）")
    capped: bool = Field(description=f"结果是否超过 {search.form.MAX_RESULTS} 条（只能查看前 {search.form.MAX_PAGES} 页）")
    page: int
    pages: int
    page_size: int
    notes: list[str] = Field(description="提示信息")
    items: list[HitOut]


class FieldOut(Schema):
    label: str
    value: str


class DetailOut(Schema):
    id: int
    name: str
    credit_code: str
    type: str
    decision_number: str
    authority: str
    decision_date: dt.date
    published_at: dt.date
    visible_until: dt.date
    status: str = Field(description="状态：有效 或 异议中（实时）")
    objection: bool
    fields: list[FieldOut] = Field(description="该类别公示的各项内容（已脱敏）")


class RevokedOut(Schema):
    name: str
    type: str
    decision_number: str
    authority: str
    decision_date: dt.date
    withdrawn_on: dt.date | None
    note: str


class RevokedPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[RevokedOut]


def _error(status: int, message: str, retry: int | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps({"detail": message}, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    if retry is not None:
        response["Retry-After"] = str(retry)
    return response


def _hit(h: search.Hit) -> dict[str, Any]:
    return {"id": h.id, "name": h.name, "credit_code": h.credit_code, "type": h.type_name,
            "decision_number": h.decision_number, "authority": h.authority, "decision_date": h.decision_date,
            "visible_until": h.visible_until, "status": h.status, "objection": h.objection}


@router.get("/search", auth=None, response={200: SearchOut, 400: PortalError, 429: PortalError, 503: PortalError},
            summary="检索公示信息", openapi_extra={"parameters": [
                {"in": "query", "name": name, "required": False, "schema": {"type": "string"}, "description": label}
                for name, label in search.FIELD_LABELS.items()]})
def search_publications(request: HttpRequest) -> Any:
    """按名称（至少两个字，子串匹配）、统一社会信用代码、决定文书号（前缀）、决定机关、类别、决定日期检索，每页 20 条，最多 50 页。

    参数：q、code、number、authority、type、from、to（YYYY-MM-DD）、page。
    """
    wait = retry_after(request, "search")
    if wait is not None:
        return _error(429, str(MSG_LIMITED), wait)
    try:
        criteria = search.parse_criteria(request.GET, strict_page=True)
        result = answers.search(criteria)
    except search.SearchError as exc:
        return _error(exc.status, exc.message)
    return {"count": min(result.total, search.form.MAX_RESULTS), "capped": result.capped, "page": result.page,
            "pages": result.pages, "page_size": result.per_page, "notes": result.notes,
            "items": [_hit(h) for h in result.hits]}


@router.get("/records/{pk}", auth=None, response={200: DetailOut, 404: PortalError, 429: PortalError},
            summary="公示信息详情")
def publication_detail(request: HttpRequest, pk: ObjectId) -> Any:
    """一条公示信息的公开内容；公示期满、决定撤销或变更、信用修复后返回 404。"""
    wait = retry_after(request, "detail")
    if wait is not None:
        return _error(429, str(MSG_LIMITED), wait)
    record = public_detail(pk)
    if record is None:
        return _error(404, MSG_NOT_FOUND)
    return {"id": record.id, "name": record.name, "credit_code": record.credit_code, "type": record.type_name,
            "decision_number": record.decision_number, "authority": record.authority,
            "decision_date": record.decision_date, "published_at": record.published_on,
            "visible_until": record.visible_until, "status": record.status, "objection": record.objection,
            "fields": [{"label": f.label, "value": f.value} for f in record.fields]}


@router.get("/revoked", auth=None, response={200: RevokedPageOut, 400: PortalError}, summary="撤销公示")
def revoked_publications(request: HttpRequest, page: int = 1) -> Any:
    """已撤销、变更或确认无效而撤下的决定及其说明，按撤下时间倒序。"""
    if not 1 <= page <= search.form.MAX_PAGES:
        return _error(400, f"“页码”应在 1 到 {search.form.MAX_PAGES} 之间。")
    rows, total = search.revoked_page(page)
    pager = search.ResultPage(hits=[], total=total, page=page)
    return {"count": min(total, search.form.MAX_RESULTS), "page": page, "pages": pager.pages, "items": [
        {"name": p.public_name, "type": p.type_name, "decision_number": p.decision_number,
         "authority": p.authority_name, "decision_date": p.decision_date,
         "withdrawn_on": clock.local_date(p.unpublished_at) if p.unpublished_at else None, "note": p.public_note}
        for p in rows]}

