"""JSON API for the credit archive: records (``/api/records``) and each subject's archive.

Counterparties who are natural persons appear with masked names and masked ID numbers only; the
API never decrypts a counterparty's ID number.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.api.common import (
    ERRORS,
    ErrorOut,
    Pagination,
    Ref,
    actor_of,
    api_auth,
    forbidden,
    get_in_scope,
    invalid,
    user_of,
)
from govcredit.archive import services, tables
from govcredit.archive.display import field_values, shown_fields, shown_text
from govcredit.archive.filters import filter_records
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.parties import resolve_parties
from govcredit.archive.selectors import visible_records
from govcredit.catalog import i18n as catalog_i18n
from govcredit.catalog.models import RecordType
from govcredit.core.params import Day, ObjectId
from govcredit.ledger.readable import ReadableEntry, describe
from govcredit.ledger.services import history
from govcredit.subjects.selectors import visible_orgs, visible_people

router = Router(tags=["信用档案"], auth=api_auth(access.READ_SUBJECTS))
WRITERS = api_auth(access.WRITE_RECORDS)

ACTION_LABELS = {
    "record.create": "录入",
    "record.correct": "更正",
    "record.status": "状态变更",
    "record.expire": "公示期满",
}


# --------------------------------------------------------------------------- schemas

class RecordOut(Schema):
    id: int = Field(description="记录编号")
    type: str = Field(description="信息类别代码")
    type_name: str = Field(description="信息类别名称")
    type_version: int = Field(description="录入时所用的目录版本")
    status: str = Field(description="状态：有效、异议中、已修复、已撤销、公示期满")
    subject_kind: str = Field(description="主体种类：organization 单位，civil_servant 公务员，counterparty 行政相对人")
    subject_org: Ref | None = Field(description="主体单位")
    subject_person: Ref | None = Field(description="主体公务员")
    subject_label: str = Field(description="主体名称（自然人已脱敏）")
    counterparty_kind: str = Field(description="行政相对人类别")
    counterparty_code: str = Field(description="行政相对人统一社会信用代码")
    counterparty_id_masked: str = Field(description="行政相对人证件号码（脱敏）")
    decision_number: str = Field(description="决定文书号")
    decision_date: dt.date = Field(description="决定日期")
    authority_name: str = Field(description="决定机关")
    severity: str = Field(description="严重程度")
    amount: Decimal | None = Field(description="金额（万元）")
    publicity_start: dt.date | None = Field(description="公示起始")
    publicity_end: dt.date | None = Field(description="公示截止")
    issuing_org: Ref = Field(description="报送/决定单位")
    created_at: dt.datetime = Field(description="录入时间")
    updated_at: dt.datetime = Field(description="最近修改时间")

    @staticmethod
    def resolve_type(obj: CreditRecord) -> str:
        return obj.record_type.code

    @staticmethod
    def resolve_type_name(obj: CreditRecord) -> str:
        return catalog_i18n.type_name(obj.record_type.code, obj.record_type.name)

    @staticmethod
    def resolve_type_version(obj: CreditRecord) -> int:
        return obj.type_version.version

    @staticmethod
    def resolve_subject_kind(obj: CreditRecord) -> str:
        if obj.subject_person_id:
            return "civil_servant"
        return "organization" if obj.subject_org_id else "counterparty"


class ChangeOut(Schema):
    field: str = Field(description="字段")
    old: str = Field(description="原值（按调用者角色脱敏）")
    new: str = Field(description="新值（按调用者角色脱敏）")
    hidden: bool = Field(description="是否为不显示内容的字段（密文、索引）：只说明已更改")


class HistoryOut(Schema):
    seq: int = Field(description="留痕序号")
    time: dt.datetime = Field(description="时间")
    actor: str = Field(description="操作人")
    person: str = Field(description="操作人姓名（系统操作为“系统”）")
    organization: str = Field(description="操作人所属单位")
    action: str = Field(description="动作代码")
    action_label: str = Field(description="动作")
    reason: str = Field(description="理由")
    changes: list[ChangeOut] = Field(description="变更的字段：原值 → 新值")

    @staticmethod
    def resolve_action_label(obj: ReadableEntry) -> str:
        return ACTION_LABELS.get(obj.action, obj.action)


def _shown(record: CreditRecord, context: dict[str, Any]) -> dict[str, str]:
    """The record's free text as the caller may read it, made once per response (the four fields that show it
    share the serialisation's context)."""
    texts: dict[int, dict[str, str]] = context.setdefault("shown_text", {})
    if record.pk not in texts:
        texts[record.pk] = shown_text(record, user_of(context["request"]))
    return texts[record.pk]


def _display_fields(record: CreditRecord) -> dict[str, Any]:
    """Every catalog field of the record's version by Chinese label, personal identifiers masked."""
    labels = {spec["key"]: spec["label"] for spec in record.type_version.fields}
    return {labels[key]: value for key, value in field_values(record).items()}


class RecordDetailOut(RecordOut):
    legal_representative: str = Field(description="法定代表人")
    facts: str = Field(description="事实/内容（报送单位及其上级、信用管理部门看原文，其他角色看脱敏文本）")
    legal_basis: str = Field(description="依据（同上）")
    result: str = Field(description="结果（同上）")
    fields: dict[str, Any] = Field(description="目录版本的全部字段，按中文名称；个人证件号码已脱敏，文字字段同上")
    history: list[HistoryOut] = Field(description="留痕记录，按时间先后")

    @staticmethod
    def resolve_facts(obj: CreditRecord, context: dict[str, Any]) -> str:
        return _shown(obj, context)["facts"]

    @staticmethod
    def resolve_legal_basis(obj: CreditRecord, context: dict[str, Any]) -> str:
        return _shown(obj, context)["legal_basis"]

    @staticmethod
    def resolve_result(obj: CreditRecord, context: dict[str, Any]) -> str:
        return _shown(obj, context)["result"]

    @staticmethod
    def resolve_fields(obj: CreditRecord, context: dict[str, Any]) -> dict[str, Any]:
        labels = {spec["key"]: spec["label"] for spec in obj.type_version.fields}
        return {labels[key]: value for key, value in shown_fields(obj, _shown(obj, context)).items()}

    @staticmethod
    def resolve_history(obj: CreditRecord, context: dict[str, Any]) -> list[ReadableEntry]:
        labels = {spec["key"]: spec["label"] for spec in obj.type_version.fields}
        return describe(history(obj).order_by("seq"), context["request"].user, data_labels=labels)


class RecordFilter(Schema):
    type: str | None = Field(None, max_length=40, description="信息类别代码，如 xzcf")
    status: RecordStatus | None = Field(None, description="状态")
    subject_org: ObjectId | None = Field(None, description="主体单位编号")
    subject_person: ObjectId | None = Field(None, description="主体公务员编号")
    issuing_org: ObjectId | None = Field(None, description="报送/决定单位编号")
    decision_date_from: Day | None = Field(None, description="决定日期起（含）")
    decision_date_to: Day | None = Field(None, description="决定日期止（含）")
    q: str | None = Field(None, max_length=100, description="决定文书号、行政相对人名称或主体单位、公务员名称包含的文字")
    sort: str | None = Field(None, max_length=30, description="排序：date（默认倒序）、type、number、authority、status；"
                                                             "前加 - 为倒序")


class RecordIn(Schema):
    type: str = Field(min_length=1, max_length=40, description="信息类别代码，按其现行版本校验")
    subject_org: ObjectId | None = Field(None, description="主体单位编号（关于单位的记录）")
    subject_person: ObjectId | None = Field(None, description="主体公务员编号（关于公务员的记录）")
    issuing_org: ObjectId = Field(description="报送/决定单位编号：本单位或下级单位")
    fields: dict[str, Any] = Field(description="字段值，键为目录中的中文名称（也接受字段键或别名）")
    reason: str = Field("", max_length=500, description="录入说明（写入留痕记录）")
    idempotency_key: str | None = Field(None, min_length=1, max_length=100,
                                        description="幂等键（也可用请求头 Idempotency-Key）：重试时带同一个键和同样的内容，"
                                                    "返回第一次录入的记录而不会重复录入")


class CorrectIn(Schema):
    fields: dict[str, Any] = Field(description="更正后的全部字段值（整体替换），键为中文名称")
    reason: str = Field(min_length=1, max_length=500, description="更正理由（必填）")


class StatusIn(Schema):
    status: RecordStatus = Field(description="新状态")
    reason: str = Field(min_length=1, max_length=500, description="变更理由（必填）")


# --------------------------------------------------------------------------- helpers

def _records(request: HttpRequest) -> QuerySet[CreditRecord]:
    user = user_of(request)
    if access.record_scope(user) is None:
        forbidden()
    return visible_records(user).order_by("-decision_date", "-id")


def _writable_record(request: HttpRequest, record_id: int) -> CreditRecord:
    user = user_of(request)
    access.require(user, access.WRITE_RECORDS)
    record = get_in_scope(_records(request), pk=record_id)
    if not access.can_write_records_for(user, record.issuing_org):
        forbidden("只有报送单位（或其上级）可以更正这条记录")
    return record


# --------------------------------------------------------------------------- records

@router.get("/records", response={200: list[RecordOut], **ERRORS}, summary="信用记录列表",
            description="调用者可见范围内的记录，按决定日期从新到旧。")
@paginate(Pagination)
def list_records(request: HttpRequest, filters: Query[RecordFilter]) -> QuerySet[CreditRecord]:
    qs = filter_records(_records(request), q=filters.q or "", record_type=filters.type or "",
                          status=filters.status or "", subject_org=filters.subject_org,
                          subject_person=filters.subject_person, issuing_org=filters.issuing_org,
                          decided_from=filters.decision_date_from, decided_to=filters.decision_date_to)
    return tables.RECORDS.sort(qs, filters.sort, strict=True)[0]  # an unknown key answers 422


@router.get("/records/{record_id}", response={200: RecordDetailOut, **ERRORS}, summary="信用记录详情",
            description="含目录版本的全部字段和留痕记录。")
def get_record(request: HttpRequest, record_id: ObjectId) -> CreditRecord:
    return get_in_scope(_records(request), pk=record_id)


@router.post("/records", response={201: RecordDetailOut, 409: ErrorOut, **ERRORS}, auth=WRITERS, summary="录入信用记录",
             description="报送单位为本单位或下级单位；主体须在可见范围内。字段按信息类别的现行版本校验，"
                         "有任何错误则整条不写入。同一信息类别、决定文书号和行政相对人（或主体）已有记录时答 409。"
                         "带幂等键（请求头 Idempotency-Key 或字段 idempotency_key）重试同一请求，返回第一次录入的记录"
                         "（响应头 Idempotent-Replayed: true）。")
def create_record(request: HttpRequest, payload: RecordIn, response: HttpResponse) -> Status[CreditRecord]:
    user = user_of(request)
    access.require(user, access.WRITE_RECORDS)
    parties = resolve_parties(user, issuing_org=payload.issuing_org, subject_org=payload.subject_org,
                              subject_person=payload.subject_person)
    rtype = RecordType.objects.filter(code=payload.type, is_active=True).first()
    if rtype is None:
        invalid("type", f"信息类别“{payload.type}”不存在或已停用")
    key = (request.headers.get("Idempotency-Key") or payload.idempotency_key or "").strip()
    if len(key) > 100:
        invalid("idempotency_key", "幂等键不能超过 100 个字符")
    values: dict[str, Any] = {"version": rtype.current(), "raw": payload.fields, "issuing_org": parties.issuing_org,
                              "actor": actor_of(request), "subject_org": parties.subject_org,
                              "subject_person": parties.subject_person,
                              "reason": payload.reason}
    if key:
        body = json.dumps(payload.model_dump(exclude={"idempotency_key"}), sort_keys=True, ensure_ascii=False, default=str)
        record, created = services.record_decision_once(
            requester=user, key=key, body_digest=hashlib.sha256(body.encode()).hexdigest(), **values)
        if not created:
            response["Idempotent-Replayed"] = "true"
    else:
        record = services.record_decision(**values)
    return Status(201, get_in_scope(_records(request), pk=record.pk))


@router.post("/records/{record_id}/correct", response={200: RecordDetailOut, **ERRORS}, auth=WRITERS,
             summary="更正信用记录",
             description="由报送单位（或其上级）提交更正后的全部字段；原状态保留在留痕记录中。")
def correct_record(request: HttpRequest, record_id: ObjectId, payload: CorrectIn) -> CreditRecord:
    record = _writable_record(request, record_id)
    services.correct_record(record, payload.fields, actor=actor_of(request), reason=payload.reason)
    return get_in_scope(_records(request), pk=record.pk)


@router.post("/records/{record_id}/status", response={200: RecordDetailOut, **ERRORS},
             auth=api_auth(access.CHANGE_RECORD_STATUS), summary="变更记录状态",
             description="仅信用管理部门：异议中、已修复、已撤销等；每次变更写入留痕记录。")
def change_status(request: HttpRequest, record_id: ObjectId, payload: StatusIn) -> CreditRecord:
    access.require(user_of(request), access.CHANGE_RECORD_STATUS)
    record = get_in_scope(_records(request), pk=record_id)
    services.change_status(record, payload.status, actor=actor_of(request), reason=payload.reason)
    return get_in_scope(_records(request), pk=record.pk)


# --------------------------------------------------------------------------- one subject's archive

@router.get("/subjects/orgs/{org_id}/archive", response={200: list[RecordOut], **ERRORS}, summary="单位信用档案",
            description="关于该单位的全部记录（可见范围内），按时间从新到旧。")
@paginate(Pagination)
def org_archive(request: HttpRequest, org_id: ObjectId) -> QuerySet[CreditRecord]:
    user = user_of(request)
    access.require(user, access.READ_SUBJECTS)
    org = get_in_scope(visible_orgs(user), pk=org_id)
    return _records(request).filter(subject_org=org)


@router.get("/subjects/people/{person_id}/archive", response={200: list[RecordOut], **ERRORS},
            summary="公务员信用档案", description="关于该公务员的全部记录（可见范围内），按时间从新到旧。")
@paginate(Pagination)
def person_archive(request: HttpRequest, person_id: ObjectId) -> QuerySet[CreditRecord]:
    user = user_of(request)
    access.require(user, access.READ_SUBJECTS)
    person = get_in_scope(visible_people(user), pk=person_id)
    return _records(request).filter(subject_person=person)
