"""JSON API for the catalog of record types (目录和标准, ``/api/catalog/...``)."""

import datetime as dt
from typing import Any, Literal, Self

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import field_validator, model_validator

from govcredit.accounts import access
from govcredit.api.common import ERRORS, actor_of, api_auth, get_in_scope, user_of
from govcredit.catalog import services
from govcredit.catalog.models import (
    BatchMode,
    Disclosure,
    Polarity,
    RecordType,
    RecordTypeVersion,
    SubjectKind,
)
from govcredit.core.params import ObjectId
from govcredit.subjects.identifiers import IdentifierError, parse_credit_code

router = Router(tags=["目录和标准"], auth=api_auth(access.READ_CATALOG))

FieldType = Literal["text", "integer", "decimal", "date", "enum", "multi_enum", "credit_code", "id_number"]

# The archive columns a catalog field may fill, with the field types each column can hold; any other
# field goes to the record's ``data``. (archive.services sets ``column`` as an attribute of the record,
# so an unchecked name could overwrite e.g. its status.)
COLUMN_TYPES: dict[str, set[str]] = {
    "counterparty_name": {"text"},
    "counterparty_kind": {"enum"},
    "counterparty_code": {"credit_code"},
    "counterparty_id": {"id_number"},
    "legal_representative": {"text"},
    "legal_rep_id": {"id_number"},
    "decision_number": {"text"},
    "decision_date": {"date"},
    "authority_name": {"text"},
    "facts": {"text"},
    "legal_basis": {"text"},
    "result": {"text", "enum"},
    "amount": {"decimal"},
    "severity": {"enum", "text"},
    "publicity_end": {"date"},
}
REQUIRED_COLUMNS = ("decision_number", "decision_date", "authority_name")


# --------------------------------------------------------------------------- schemas

class SeveritySchema(Schema):
    name: str = Field(min_length=1, max_length=10, description="严重程度名称，如“一般”“严重”")
    min_months: int = Field(ge=0, le=600, description="最短公示期（月）：届满后方可信用修复")
    max_months: int = Field(ge=0, le=600, description="最长公示期（月）")
    publish: bool = Field(description="是否公示")


class FieldSpecSchema(Schema):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$", description="字段键（英文小写）")
    label: str = Field(min_length=1, max_length=60, description="中文名称（报送表格的列名）")
    type: FieldType = Field(description="类型")
    required: bool = Field(False, description="是否必填")
    choices: list[str] = Field(default_factory=list, description="可选值（enum、multi_enum 类型）")
    aliases: list[str] = Field(default_factory=list, description="别名（表格中可接受的其他列名）")
    column: str | None = Field(None, description="写入的档案列；不填则存入“其他字段”")
    max_length: int | None = Field(None, ge=1, description="最大长度（文本）")
    national: bool = Field(True, description="是否为国家“双公示”数据标准的列（否：只在本平台保存，不导出）")


class VersionOut(Schema):
    version: int = Field(description="版本号")
    polarity: str = Field(description="性质：失信、守信、中性")
    source_category: str = Field(description="信息来源")
    disclosure: str = Field(description="公开属性：公开、共享、内部")
    subject_kinds: list[str] = Field(description="适用主体：organization 政府机构，civil_servant 公务员，"
                                                 "counterparty 行政相对人")
    severities: list[SeveritySchema] = Field(description="严重程度及公示期")
    fields: list[FieldSpecSchema] = Field(description="字段")
    submitters: list[str] = Field(description="报送单位（统一社会信用代码，空为不限）")
    batch_mode: str = Field(description="批量方式")
    double_publicity: bool = Field(description="是否双公示")
    description: str = Field(description="说明")
    created_at: dt.datetime = Field(description="发布时间")
    created_by: str = Field(description="发布人")


class VersionSummaryOut(Schema):
    version: int = Field(description="版本号")
    polarity: str = Field(description="性质")
    disclosure: str = Field(description="公开属性")
    created_at: dt.datetime = Field(description="发布时间")
    created_by: str = Field(description="发布人")


class TypeOut(Schema):
    code: str = Field(description="类别代码")
    name: str = Field(description="类别名称")
    is_active: bool = Field(description="是否启用")
    version: int = Field(description="现行版本号")
    polarity: str = Field(description="性质（现行版本）")
    disclosure: str = Field(description="公开属性（现行版本）")
    subject_kinds: list[str] = Field(description="适用主体（现行版本）")
    double_publicity: bool = Field(description="是否双公示（现行版本）")

    @staticmethod
    def resolve_version(obj: RecordType) -> int:
        return obj.current().version

    @staticmethod
    def resolve_polarity(obj: RecordType) -> str:
        return obj.current().polarity

    @staticmethod
    def resolve_disclosure(obj: RecordType) -> str:
        return obj.current().disclosure

    @staticmethod
    def resolve_subject_kinds(obj: RecordType) -> list[str]:
        return list(obj.current().subject_kinds)

    @staticmethod
    def resolve_double_publicity(obj: RecordType) -> bool:
        return obj.current().double_publicity


class TypeDetailOut(Schema):
    code: str = Field(description="类别代码")
    name: str = Field(description="类别名称")
    is_active: bool = Field(description="是否启用")
    current: VersionOut = Field(description="现行版本（新记录按此版本校验）")
    versions: list[VersionSummaryOut] = Field(description="全部版本，旧记录保留其录入时的版本")

    @staticmethod
    def resolve_versions(obj: RecordType) -> list[RecordTypeVersion]:
        return list(obj.versions.order_by("version"))


class VersionIn(Schema):
    polarity: Polarity = Field(description="性质")
    source_category: str = Field(min_length=1, max_length=20, description="信息来源")
    disclosure: Disclosure = Field(description="公开属性")
    subject_kinds: list[SubjectKind] = Field(min_length=1, description="适用主体")
    severities: list[SeveritySchema] = Field(min_length=1, description="严重程度及公示期")
    fields: list[FieldSpecSchema] = Field(min_length=1, description="字段；须含 decision_number、decision_date、"
                                                                   "authority_name 三个字段并写入同名档案列")
    submitters: list[str] = Field(default_factory=list, description="报送单位的统一社会信用代码，空为不限")
    batch_mode: BatchMode = Field(BatchMode.ACCEPT_VALID, description="批量方式")
    double_publicity: bool = Field(False, description="是否双公示")
    description: str = Field("", max_length=2000, description="说明")
    reason: str = Field("", max_length=500, description="发布理由（写入留痕记录）")

    @field_validator("submitters")
    @classmethod
    def _credit_codes(cls, value: list[str]) -> list[str]:
        out = []
        for code in value:
            try:
                out.append(parse_credit_code(code).code)
            except IdentifierError as e:
                raise ValueError(f"报送单位代码“{code}”无效：{e.message}") from None
        return out

    @model_validator(mode="after")
    def _columns(self) -> Self:
        for spec in self.fields:
            if spec.column is None:
                continue
            allowed = COLUMN_TYPES.get(spec.column)
            if allowed is None:
                raise ValueError(f"字段“{spec.label}”的档案列“{spec.column}”不存在")
            if spec.type not in allowed:
                raise ValueError(f"字段“{spec.label}”写入“{spec.column}”列，类型应为 {'、'.join(sorted(allowed))}")
        columns = [s.column for s in self.fields if s.column]
        if len(columns) != len(set(columns)):
            raise ValueError("同一档案列只能对应一个字段")
        for key in REQUIRED_COLUMNS:
            found = next((s for s in self.fields if s.key == key), None)
            if found is None or found.column != key or not found.required:
                raise ValueError(f"必须有必填字段 {key}，并写入同名档案列")
        return self

    def definition(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"reason"})
        data["fields"] = [s.model_dump(mode="json", exclude_none=True) for s in self.fields]
        return data


# --------------------------------------------------------------------------- handlers

def _types(request: HttpRequest) -> QuerySet[RecordType]:
    access.require(user_of(request), access.READ_CATALOG)
    return RecordType.objects.order_by("id")


@router.get("/types", response={200: list[TypeOut], **ERRORS}, summary="信息类别列表")
def list_types(request: HttpRequest) -> list[RecordType]:
    return list(_types(request).prefetch_related("versions"))


@router.get("/types/{code}", response={200: TypeDetailOut, **ERRORS}, summary="信息类别详情",
            description="现行版本的字段和严重程度，以及全部版本的列表。")
def get_type(request: HttpRequest, code: str) -> RecordType:
    return get_in_scope(_types(request), code=code)


@router.get("/types/{code}/versions/{version}", response={200: VersionOut, **ERRORS}, summary="信息类别的某一版本")
def get_version(request: HttpRequest, code: str, version: ObjectId) -> RecordTypeVersion:
    rtype = get_in_scope(_types(request), code=code)
    return get_in_scope(rtype.versions.all(), version=version)


@router.post("/types/{code}/versions", response={201: VersionOut, **ERRORS}, auth=api_auth(access.MANAGE_CATALOG),
             summary="发布新版本",
             description="仅信用管理部门。新版本只用于此后的新记录，旧记录保留原版本。")
def publish_version(request: HttpRequest, code: str, payload: VersionIn) -> Status[RecordTypeVersion]:
    access.require(user_of(request), access.MANAGE_CATALOG)
    rtype = get_in_scope(_types(request), code=code)
    version = services.publish_version(rtype, payload.definition(), actor=actor_of(request), reason=payload.reason)
    return Status(201, version)
