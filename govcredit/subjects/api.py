"""JSON API for credit subjects: the organisation tree and civil servants (``/api/subjects/...``).

Full ID numbers leave the server only for the roles ``access.can_see_full_id`` allows; every other
caller gets the masked copy. Birth dates go with them: with the birth date, the masked digits of an
ID number (positions 5–14) would be nearly all known.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.params import functions as param
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.api.common import (
    ERRORS,
    Pagination,
    Ref,
    actor_of,
    api_auth,
    forbidden,
    get_in_scope,
    invalid,
    user_of,
)
from govcredit.core.params import Day, ObjectId
from govcredit.subjects import selectors, services, tables
from govcredit.subjects.identifiers import IdentifierError, parse_id_number
from govcredit.subjects.models import CivilServant, Organization, OrgType, ServantStatus

from .filters import filter_orgs, filter_people
from .selectors import visible_orgs, visible_people

router = Router(tags=["信用主体"], auth=api_auth(access.READ_SUBJECTS))
EDITORS = api_auth(access.EDIT_SUBJECTS)

REGION_CODE = r"^\d{6}$"


# --------------------------------------------------------------------------- schemas

class OrgOut(Schema):
    id: int = Field(description="单位编号")
    name: str = Field(description="单位名称")
    credit_code: str = Field(description="统一社会信用代码")
    org_type: str = Field(description="单位类型")
    region_code: str = Field(description="行政区划代码")
    parent: Ref | None = Field(description="上级单位（顶级单位为空）")
    depth: int = Field(description="层级：0 市，1 市级部门/区，2 街道/乡镇，3 村/社区")
    is_active: bool = Field(description="是否有效")


class OrgDetailOut(OrgOut):
    created_at: dt.datetime = Field(description="登记时间")
    updated_at: dt.datetime = Field(description="最近修改时间")


class OrgFilter(Schema):
    q: str | None = Field(None, max_length=100, description="名称包含的文字")
    credit_code: str | None = Field(None, max_length=30, description="统一社会信用代码（精确匹配）")
    org_type: OrgType | None = Field(None, description="单位类型")
    parent: ObjectId | None = Field(None, description="上级单位编号（直属下级）")
    region_code: str | None = Field(None, pattern=REGION_CODE, description="行政区划代码（6 位）")
    is_active: bool | None = Field(None, description="是否有效")
    sort: str | None = Field(None, max_length=30, description="排序：name、credit_code、org_type、region_code、parent、path"
                                                             "（默认，树的顺序）；前加 - 为倒序")


class SuggestOut(Schema):
    kind: str = Field(description="org 单位，person 公务员")
    id: int = Field(description="编号")
    label: str = Field(description="名称或姓名")
    detail: str = Field(description="用于区分同名者的说明：代码、类型、上级单位，或工作单位、职务、脱敏身份证号")


class SuggestListOut(Schema):
    results: list[SuggestOut]


class OrgIn(Schema):
    name: str = Field(min_length=1, max_length=200, description="单位名称")
    credit_code: str = Field(min_length=1, max_length=30, description="统一社会信用代码（18 位）")
    org_type: OrgType = Field(description="单位类型")
    region_code: str = Field(pattern=REGION_CODE, description="行政区划代码（6 位数字）")
    parent: ObjectId | None = Field(None, description="上级单位编号；只有信用管理部门可登记顶级单位")
    reason: str = Field("", max_length=500, description="登记理由（写入留痕记录）")


class OrgPatchIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=200, description="新名称")
    org_type: OrgType | None = Field(None, description="新类型")
    region_code: str | None = Field(None, pattern=REGION_CODE, description="新行政区划代码")
    is_active: bool | None = Field(None, description="是否有效")
    reason: str = Field(min_length=1, max_length=500, description="修改理由（必填，写入留痕记录）")


class PersonOut(Schema):
    id: int = Field(description="公务员编号")
    name: str = Field(description="姓名")
    gender: str = Field(description="性别")
    id_masked: str = Field(description="身份证号（脱敏）")
    employer: Ref = Field(description="工作单位")
    post: str = Field(description="职务")
    rank: str = Field(description="职级")
    status: str = Field(description="状态：在职、调任、退休、离职")


class PostOut(Schema):
    employer: Ref = Field(description="工作单位")
    post: str = Field(description="职务")
    rank: str = Field(description="职级")
    status: str = Field(description="状态")
    start_date: dt.date = Field(description="起始日期")
    end_date: dt.date | None = Field(description="终止日期（现任为空）")


def _full_id_allowed(context: Any) -> bool:
    request = (context or {}).get("request")
    return request is not None and access.can_see_full_id(getattr(request, "auth", None))


class PersonDetailOut(PersonOut):
    id_number: str | None = Field(description="完整身份证号：不在此返回。可查看完整号码的角色须说明目的，"
                                              "通过 POST /api/reports/reveal 单独查看（每次记录）")
    birth_date: dt.date | None = Field(description="出生日期：与完整身份证号同等保护，其他角色为空")
    posts: list[PostOut] = Field(description="任职经历，最近的在前")
    created_at: dt.datetime = Field(description="登记时间")
    updated_at: dt.datetime = Field(description="最近修改时间")

    @staticmethod
    def resolve_id_number(obj: CivilServant, context: Any) -> str | None:
        return None

    @staticmethod
    def resolve_birth_date(obj: CivilServant, context: Any) -> dt.date | None:
        return obj.birth_date if _full_id_allowed(context) else None

    @staticmethod
    def resolve_posts(obj: CivilServant) -> list[Any]:
        return list(obj.posts.select_related("employer").order_by("-start_date", "-id"))


class PersonFilter(Schema):
    q: str | None = Field(None, max_length=50, description="姓名包含的文字")
    employer: ObjectId | None = Field(None, description="工作单位编号")
    status: ServantStatus | None = Field(None, description="状态")
    id_number: str | None = Field(None, max_length=30,
                                  description="身份证号精确查找：仅限可查看完整身份证号的角色。"
                                              "为免号码进入访问日志，建议改用 POST /api/subjects/people/lookup")
    sort: str | None = Field(None, max_length=30, description="排序：name、employer（默认）、post、rank、status；前加 - 为倒序")


class IdLookupIn(Schema):
    id_number: str = Field(min_length=1, max_length=30, description="完整身份证号")


class PersonIn(Schema):
    name: str = Field(min_length=1, max_length=50, description="姓名")
    id_number: str = Field(min_length=1, max_length=30, description="身份证号（18 位）")
    employer: ObjectId = Field(description="工作单位编号")
    post: str = Field(min_length=1, max_length=100, description="职务")
    rank: str = Field("", max_length=50, description="职级")
    start_date: Day | None = Field(None, description="任职起始日期（默认今天）")
    reason: str = Field("", max_length=500, description="登记理由（写入留痕记录）")


class PostChangeIn(Schema):
    employer: ObjectId | None = Field(None, description="新工作单位编号（不填则不变）")
    post: str = Field(min_length=1, max_length=100, description="新职务")
    rank: str = Field("", max_length=50, description="新职级")
    status: ServantStatus = Field(description="新状态")
    effective: Day = Field(description="生效日期")
    reason: str = Field(min_length=1, max_length=500, description="变动理由（必填，写入留痕记录）")


# --------------------------------------------------------------------------- helpers

def _orgs(request: HttpRequest) -> QuerySet[Organization]:
    user = user_of(request)
    access.require(user, access.READ_SUBJECTS)
    return visible_orgs(user).select_related("parent")


def _people(request: HttpRequest) -> QuerySet[CivilServant]:
    user = user_of(request)
    access.require(user, access.READ_SUBJECTS)
    return visible_people(user).select_related("employer")


def _editable_org(request: HttpRequest, org_id: int, message: str) -> Organization:
    """An organisation named in a request body that the caller must be allowed to edit (else 403).

    Absent and out-of-scope organisations get the same answer, so the reply reveals nothing.
    """
    user = user_of(request)
    org = visible_orgs(user).filter(pk=org_id).first()
    if org is None or not access.can_edit_org(user, org):
        forbidden(message)
    return org


def _id_number(raw: str) -> str:
    try:
        return parse_id_number(raw).number
    except IdentifierError as e:
        invalid("id_number", e.message)


# --------------------------------------------------------------------------- organisations

@router.get("/orgs", response={200: list[OrgOut], **ERRORS}, summary="单位列表",
            description="调用者可见范围内的单位（本单位及下级；信用管理部门、组织人事部门为全市）。")
@paginate(Pagination)
def list_orgs(request: HttpRequest, filters: Query[OrgFilter]) -> QuerySet[Organization]:
    qs = filter_orgs(_orgs(request), q=filters.q or "", credit_code=filters.credit_code or "",
                     org_type=filters.org_type or "", parent=filters.parent, region_code=filters.region_code or "",
                     is_active=filters.is_active)
    return tables.ORGS.sort(qs, filters.sort, strict=True)[0]  # an unknown key answers 422


@router.get("/suggest", response={200: SuggestListOut, **ERRORS}, summary="按名称查找单位和公务员（边输边查）",
            description="录入页面的选择框使用：名称（或统一社会信用代码）包含所输文字的单位、姓名包含所输文字的公务员，"
                        "只在调用者可见范围内，以所输文字开头的在前，每类最多 15 条。")
def suggest_subjects(request: HttpRequest, q: str = param.Query("", max_length=50, description="所输文字"),
                     kind: str = param.Query("any", pattern="^(org|person|any)$",
                                             description="org 只查单位，person 只查公务员，any 两者")) -> dict[str, Any]:
    user = user_of(request)
    access.require(user, access.READ_SUBJECTS)
    return {"results": [m.__dict__ for m in selectors.suggest(user, q, kind)]}


@router.get("/orgs/{org_id}", response={200: OrgDetailOut, **ERRORS}, summary="单位详情")
def get_org(request: HttpRequest, org_id: ObjectId) -> Organization:
    return get_in_scope(_orgs(request), pk=org_id)


@router.post("/orgs", response={201: OrgDetailOut, **ERRORS}, auth=EDITORS, summary="登记单位",
             description="信用管理部门可登记任何单位；区政府只能在本区范围内登记下级单位。")
def create_org(request: HttpRequest, payload: OrgIn) -> Status[Organization]:
    user = user_of(request)
    access.require(user, access.EDIT_SUBJECTS)
    parent = None
    if payload.parent is None:
        access.require(user, {Role.CREDIT_OFFICE})  # a new top-level organisation
    else:
        parent = _editable_org(request, payload.parent, "无权在该上级单位下登记：单位不存在或不在您的管辖范围内")
    org = services.register_organization(name=payload.name, credit_code=payload.credit_code,
                                         org_type=payload.org_type, region_code=payload.region_code,
                                         parent=parent, actor=actor_of(request), reason=payload.reason)
    return Status(201, org)


@router.patch("/orgs/{org_id}", response={200: OrgDetailOut, **ERRORS}, auth=EDITORS, summary="修改单位",
              description="修改名称、类型、行政区划代码或有效状态；统一社会信用代码和上下级关系登记后不能修改。")
def update_org(request: HttpRequest, org_id: ObjectId, payload: OrgPatchIn) -> Organization:
    user = user_of(request)
    access.require(user, access.EDIT_SUBJECTS)
    org = get_in_scope(_orgs(request), pk=org_id)
    if not access.can_edit_org(user, org):
        forbidden()
    changes = payload.model_dump(exclude_unset=True, exclude_none=True, exclude={"reason"})
    if not changes:
        invalid("", "没有要修改的内容")
    return services.change_organization(org, changes, actor=actor_of(request), reason=payload.reason)


# --------------------------------------------------------------------------- civil servants

@router.get("/people", response={200: list[PersonOut], **ERRORS}, summary="公务员列表",
            description="调用者可见范围内的公务员；身份证号一律脱敏。")
@paginate(Pagination)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> QuerySet[CivilServant]:
    qs = _people(request)
    if filters.id_number:
        if not access.can_see_full_id(user_of(request)):
            forbidden("您的角色不能按完整身份证号查找")
        person = services.find_person_by_id_number(_id_number(filters.id_number))
        qs = qs.filter(pk=person.pk) if person else qs.none()
    qs = filter_people(qs, q=filters.q or "", employer=filters.employer, status=filters.status or "")
    return tables.PEOPLE.sort(qs, filters.sort, strict=True)[0]


@router.post("/people/lookup", response={200: PersonDetailOut, **ERRORS}, auth=api_auth(access.FULL_ID_NUMBERS),
             summary="按身份证号查找公务员",
             description="与列表的 id_number 条件相同，但号码在请求体中，不会进入访问日志。仅限可查看完整身份证号的角色。")
def lookup_person(request: HttpRequest, payload: IdLookupIn) -> CivilServant:
    people = _people(request)
    if not access.can_see_full_id(user_of(request)):
        forbidden("您的角色不能按完整身份证号查找")
    person = services.find_person_by_id_number(_id_number(payload.id_number))
    return get_in_scope(people, pk=person.pk if person else None)


@router.get("/people/{person_id}", response={200: PersonDetailOut, **ERRORS}, summary="公务员详情",
            description="完整身份证号和出生日期仅对信用管理部门、组织人事部门返回。")
def get_person(request: HttpRequest, person_id: ObjectId) -> CivilServant:
    return get_in_scope(_people(request), pk=person_id)


@router.post("/people", response={201: PersonDetailOut, **ERRORS}, auth=EDITORS, summary="登记公务员",
             description="在可管理的单位登记公务员，同时开始第一段任职经历。")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[CivilServant]:
    access.require(user_of(request), access.EDIT_SUBJECTS)
    employer = _editable_org(request, payload.employer, "无权在该单位登记公务员：单位不存在或不在您的管辖范围内")
    person = services.register_civil_servant(name=payload.name, id_number=payload.id_number, employer=employer,
                                             post=payload.post, rank=payload.rank, start_date=payload.start_date,
                                             actor=actor_of(request), reason=payload.reason,
                                             visible=visible_people(user_of(request)))
    return Status(201, person)


@router.post("/people/{person_id}/posts", response={200: PersonDetailOut, **ERRORS}, auth=EDITORS,
             summary="职务变动",
             description="调任、晋升、退休、离职等：现任职务于生效日期结束，任职经历完整保留。")
def change_post(request: HttpRequest, person_id: ObjectId, payload: PostChangeIn) -> CivilServant:
    user = user_of(request)
    access.require(user, access.EDIT_SUBJECTS)
    person = get_in_scope(_people(request), pk=person_id)
    if not access.can_edit_org(user, person.employer):
        forbidden()
    employer = person.employer
    if payload.employer is not None and payload.employer != employer.pk:
        employer = _editable_org(request, payload.employer, "无权调入该单位：单位不存在或不在您的管辖范围内")
    return services.change_post(person, employer=employer, post=payload.post, rank=payload.rank,
                                status=payload.status, effective=payload.effective, actor=actor_of(request),
                                reason=payload.reason)
