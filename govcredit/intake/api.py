"""JSON API for intake (``/api/intake/...``): post rows or upload a file, follow batches, fetch errors.

* ``POST /batches`` — a JSON array of rows (keys are the catalog's Chinese field names, the national
  standard's names or the field keys); processed at once, the answer carries the counts and the
  rejected rows with their reasons.
* ``POST /batches/upload`` — a file (multipart); processed in the background, poll ``GET /batches/{id}``.
"""


import datetime as dt
import pathlib
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.params import functions as param
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.api.common import (
    ERRORS,
    Pagination,
    api_auth,
    forbidden,
    get_in_scope,
    invalid,
    user_of,
)
from govcredit.catalog.models import RecordType
from govcredit.core.params import ObjectId
from govcredit.subjects.identifiers import normalize_credit_code
from govcredit.subjects.models import Organization

from . import tables
from .models import BatchSource, BatchStatus, ImportBatch
from .report import rejected_rows, report_for
from .selectors import visible_batches
from .template import template_response

router = Router(tags=["归集"], auth=api_auth(access.READ_BATCHES))


class BatchOut(Schema):
    id: int = Field(description="批次编号")
    record_type: str = Field(description="信息类别")
    type_version: int = Field(description="类别版本号")
    org: str = Field(description="报送单位")
    org_code: str = Field(description="报送单位统一社会信用代码")
    actor: str = Field(description="提交人")
    source: str = Field(description="来源：upload 页面上传 / cli 命令行 / api 接口")
    file_name: str = Field(description="文件名")
    sha256: str = Field(description="文件 SHA-256 摘要")
    status: BatchStatus = Field(description="状态")
    dry_run: bool = Field(description="是否试运行（不写入）")
    batch_mode: str = Field(description="批量方式：all_or_nothing 整批 / accept_valid 接收有效行")
    rows_done: int = Field(description="已处理行数")
    rows_estimate: int | None = Field(description="预计行数")
    accepted: int = Field(description="新增记录数")
    updated: int = Field(description="更正记录数")
    unchanged: int = Field(description="未变化记录数")
    rejected: int = Field(description="退回行数")
    message: str = Field(description="处理说明或文件级错误")
    has_error_report: bool = Field(description="是否有错误报告（GET /batches/{id}/report 下载）")
    created_at: dt.datetime = Field(description="提交时间")
    finished_at: dt.datetime | None = Field(description="完成时间")

    @staticmethod
    def resolve_record_type(obj: ImportBatch) -> str:
        return obj.record_type.name

    @staticmethod
    def resolve_type_version(obj: ImportBatch) -> int:
        return obj.type_version.version

    @staticmethod
    def resolve_org(obj: ImportBatch) -> str:
        return obj.org.name

    @staticmethod
    def resolve_org_code(obj: ImportBatch) -> str:
        return obj.org.credit_code

    @staticmethod
    def resolve_has_error_report(obj: ImportBatch) -> bool:
        return bool(obj.error_report)


class RowErrorOut(Schema):
    row: int = Field(description="行号（文件中的行；JSON 数组为第几条）")
    reason: str = Field(description="错误原因（列名：规则）")
    values: list[str | None] = Field(description="该行原样提交的值（按列顺序）")


class BatchResultOut(BatchOut):
    errors: list[RowErrorOut] = Field(description="退回的行（最多 1000 行；全部见错误报告）")


class RowsIn(Schema):
    record_type: str = Field(min_length=1, max_length=50, description="信息类别名称或代码，如“行政处罚”或 xzcf")
    org: str | None = Field(None, max_length=30, description="报送单位统一社会信用代码（默认本人所在单位）")
    dry_run: bool = Field(False, description="只校验，不写入")
    rows: list[dict[str, Any]] = Field(min_length=1, description="数据行：键为字段中文名、国家标准名或字段键")


class BatchFilter(Schema):
    status: BatchStatus | None = Field(None, description="状态")
    record_type: str | None = Field(None, max_length=50, description="信息类别名称或代码")
    sort: str | None = Field(None, max_length=30, description="排序：created（默认倒序）、id、actor、org、type、status、"
                                                             "accepted、updated、unchanged、rejected；前加 - 为倒序")


def _batches(request: HttpRequest) -> QuerySet[ImportBatch]:
    user = user_of(request)
    if not access.has(user, access.READ_BATCHES):
        forbidden()
    return visible_batches(user)


def _org_for(request: HttpRequest, code: str | None) -> Organization:
    user = user_of(request)
    if not access.has(user, access.WRITE_RECORDS):
        forbidden()
    if code:
        org = Organization.objects.filter(credit_code=normalize_credit_code(code)).first()
        if org is None:
            invalid("org", f"没有统一社会信用代码为 {code} 的单位")
    else:
        org = user.organization
        if org is None:
            invalid("org", "请指定报送单位")
    if not access.can_write_records_for(user, org):
        forbidden("您只能以本单位或下级单位名义报送")
    return org


def _type(name: str) -> RecordType:
    from . import services  # here: it loads polars, which a process serving other pages never needs

    return services.resolve_type(name)  # FileRejected: 422 naming record_type, by the API's one handler


def _errors(request: HttpRequest, batch: ImportBatch, limit: int = 1000) -> list[dict[str, Any]]:
    """The rejected rows, ID numbers masked for roles without full-ID access (see :mod:`.report`)."""
    rows = rejected_rows(batch, full_id_numbers=access.can_see_submitted_ids(user_of(request)))
    return [{"row": row_no, "reason": reason, "values": values} for row_no, values, reason in islice(rows, limit)]


SUBMITTERS = api_auth(access.WRITE_RECORDS)  # reading batches is wider (CITY_WIDE); submitting is not


@router.post("/batches", response={200: BatchResultOut, **ERRORS}, auth=SUBMITTERS,
             summary="提交数据行（JSON 数组）并立即处理")
def post_rows(request: HttpRequest, payload: RowsIn) -> Any:
    from . import services  # here: it loads polars, which a process serving other pages never needs

    org = _org_for(request, payload.org)
    rtype = _type(payload.record_type)
    batch = services.submit_rows(payload.rows, record_type=rtype, org=org, actor=user_of(request).get_username(),
                                 user=user_of(request), dry_run=payload.dry_run)
    batch = services.run_batch(batch.pk)
    batch = ImportBatch.objects.select_related("record_type", "type_version", "org").get(pk=batch.pk)
    setattr(batch, "errors", _errors(request, batch))  # noqa: B010 - read by BatchResultOut
    return batch


@router.post("/batches/upload", response={202: BatchOut, **ERRORS}, auth=SUBMITTERS, summary="上传文件，后台处理")
def upload(request: HttpRequest, file: UploadedFile = param.File(..., description="CSV、XLSX、JSON Lines 或 JSON 文件"),  # noqa: B008
           record_type: str = param.Form(..., description="信息类别名称或代码"),  # noqa: B008
           org: str | None = param.Form(None, description="报送单位统一社会信用代码（默认本人所在单位）"),  # noqa: B008
           sheet: str = param.Form("", description="XLSX 工作表名称"),  # noqa: B008
           dry_run: bool = param.Form(False, description="只校验，不写入")) -> Any:  # noqa: B008
    from . import services  # here: it loads polars, which a process serving other pages never needs
    from .views import _store_upload

    unit = _org_for(request, org)
    rtype = _type(record_type)
    path = _store_upload(file)
    batch, resumed = services.submit_file(path, record_type=rtype, org=unit, actor=user_of(request).get_username(),
                                          user=user_of(request), source=BatchSource.API, file_name=file.name or path.name,
                                          sheet=sheet, dry_run=dry_run, stored=True)
    services.enqueue(batch)
    return Status(202, ImportBatch.objects.select_related("record_type", "type_version", "org").get(pk=batch.pk))


@router.get("/templates/{code}", response={200: None, **ERRORS}, summary="下载导入模板（XLSX）",
            description="信息类别现行目录版本的空白导入模板：列名与目录一致（行政处罚、行政许可为双公示数据标准现行版本的列），"
                        "必填列标 *，单选列带下拉选项，附“填写说明”页。填好后可原样上传。")
def get_template(request: HttpRequest, code: str = param.Path(..., max_length=40, pattern=r"^[a-z0-9_]+$",  # noqa: B008
                                                        description="信息类别代码，如 xzcf")) -> Any:
    if not access.has(user_of(request), access.READ_BATCHES):
        forbidden()
    record_type = RecordType.objects.filter(code=code, is_active=True).first()
    if record_type is None:
        raise Http404("没有这个信息类别")
    return template_response(record_type)


@router.get("/batches", response={200: list[BatchOut], **ERRORS}, summary="批次列表（状态、数量、提交人、时间）")
@paginate(Pagination)
def list_batches(request: HttpRequest, filters: Query[BatchFilter]) -> Any:  # noqa: B008
    qs = _batches(request)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.record_type:
        qs = qs.filter(record_type__name=filters.record_type) | qs.filter(record_type__code=filters.record_type)
    return tables.BATCHES.sort(qs, filters.sort, strict=True)[0]  # the page's sort keys; others answer 422


@router.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS}, summary="批次详情与进度")
def get_batch(request: HttpRequest, batch_id: ObjectId) -> Any:
    return get_in_scope(_batches(request), pk=batch_id)


@router.get("/batches/{batch_id}/errors", response={200: list[RowErrorOut], **ERRORS}, summary="退回的行及原因")
def get_errors(request: HttpRequest, batch_id: ObjectId) -> Any:
    batch = get_in_scope(_batches(request), pk=batch_id)
    return _errors(request, batch, limit=10_000)


@router.get("/batches/{batch_id}/report", response={200: None, **ERRORS}, summary="下载错误报告（XLSX）")
def get_report(request: HttpRequest, batch_id: ObjectId) -> Any:
    batch = get_in_scope(_batches(request), pk=batch_id)
    if not batch.error_report or not pathlib.Path(batch.error_report).exists():
        raise Http404("该批次没有错误报告")
    return FileResponse(report_for(batch, full_id_numbers=access.can_see_submitted_ids(user_of(request))),
                        as_attachment=True, filename=f"batch-{batch.pk}-errors.xlsx")
