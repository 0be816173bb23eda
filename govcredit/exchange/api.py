"""JSON API of the exchange (mounted at ``/api/exchange/``).

* ``GET /records`` — the shared query for other departments (token of a department user; scoped by the
  catalog's disclosure level; every call logged with its purpose).
* ``GET /exports`` — the national-platform exports with their files and acknowledgement counts (credit office).
* ``POST /exports`` — queue a masked export (as the exports page does); ``GET /exports/run`` its progress and result.
* ``POST /acks`` — upload the national platform's acknowledgement file (credit office).
"""


import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, invalid, user_of, via_session
from govcredit.archive.display import record_person_names
from govcredit.archive.models import CreditRecord
from govcredit.core import jobs
from govcredit.core.params import Day
from govcredit.subjects.identifiers import mask_text

from . import acks, national, shared
from .models import ExchangeExport

router = Router(tags=["共享交换"])
CREDIT_OFFICE = api_auth(access.MANAGE_EXCHANGE)


# --------------------------------------------------------------------------- shared query


class SharedQueryIn(Schema):
    purpose: str = Field(min_length=2, max_length=200, description="查询事由（必填，记入查询日志），如“评优评先资格审查”")
    credit_code: str = Field("", max_length=18, description="统一社会信用代码（行政相对人或主体单位）")
    name: str = Field("", max_length=200, description="主体名称（完整名称，精确匹配）")
    decision_number: str = Field("", max_length=100, description="决定文书号（精确匹配）")
    type: str = Field("", max_length=40, description="信息类别代码，如 xzcf、xzxk")
    date_from: Day | None = Field(None, description="决定日期起")
    date_to: Day | None = Field(None, description="决定日期止")


class SharedRecordOut(Schema):
    id: int = Field(description="记录编号")
    type: str = Field(description="信息类别代码")
    type_name: str = Field(description="信息类别")
    disclosure: str = Field(description="公开属性：公开、共享、内部")
    status: str = Field(description="状态：有效、异议中、已修复、已撤销、公示期满")
    subject_name: str = Field(description="主体名称（自然人已脱敏）")
    credit_code: str = Field(description="统一社会信用代码")
    id_number_masked: str = Field(description="证件号码（脱敏）")
    decision_number: str = Field(description="决定文书号")
    decision_date: dt.date = Field(description="决定日期")
    authority_name: str = Field(description="决定机关")
    issuing_org: str = Field(description="报送/决定单位")
    severity: str = Field(description="严重程度")
    amount: Decimal | None = Field(description="金额（万元）")
    result: str = Field(description="结果（处罚内容、许可内容等）")
    publicity_end: dt.date | None = Field(description="公示截止")

    @staticmethod
    def resolve_type(obj: CreditRecord) -> str:
        return obj.record_type.code

    @staticmethod
    def resolve_type_name(obj: CreditRecord) -> str:
        return obj.record_type.name

    @staticmethod
    def resolve_disclosure(obj: CreditRecord) -> str:
        return obj.type_version.disclosure

    @staticmethod
    def resolve_subject_name(obj: CreditRecord) -> str:
        return obj.subject_label  # natural-person counterparties masked

    @staticmethod
    def resolve_credit_code(obj: CreditRecord) -> str:
        return obj.counterparty_code or (obj.subject_org.credit_code if obj.subject_org else "")

    @staticmethod
    def resolve_id_number_masked(obj: CreditRecord) -> str:
        return obj.counterparty_id_masked or (obj.subject_person.id_masked if obj.subject_person else "")

    @staticmethod
    def resolve_issuing_org(obj: CreditRecord) -> str:
        return obj.issuing_org.name

    @staticmethod
    def resolve_decision_number(obj: CreditRecord) -> str:
        return mask_text(obj.decision_number, record_person_names(obj))

    @staticmethod
    def resolve_authority_name(obj: CreditRecord) -> str:
        return mask_text(obj.authority_name, record_person_names(obj))

    @staticmethod
    def resolve_result(obj: CreditRecord) -> str:
        return mask_text(obj.result, record_person_names(obj))


@router.get("/records", auth=api_auth(access.SHARED_QUERY), response={200: list[SharedRecordOut], **ERRORS},
            summary="共享查询：按统一社会信用代码、名称或文书号查询信用记录（按目录公开属性限定范围，全部留痕）")
@paginate(Pagination)
def shared_records(request: HttpRequest, filters: Query[SharedQueryIn]) -> Any:
    user = user_of(request)
    cond = shared.Conditions(credit_code=filters.credit_code, name=filters.name,
                             decision_number=filters.decision_number, type=filters.type,
                             date_from=filters.date_from, date_to=filters.date_to)
    if not cond.selective:
        invalid("credit_code", "请至少提供统一社会信用代码、主体名称或决定文书号之一")
    qs = shared.search(user, cond)
    params: dict[str, Any] = {**cond.as_params(), "page": request.GET.get("page", "1")}
    if request.GET.get("page_size"):
        params["page_size"] = request.GET["page_size"]
    shared.log_query(user, purpose=filters.purpose, params=params, result_count=qs.count(),
                     auth_method="session" if via_session(request) else "token",
                     client_ip=request.META.get("REMOTE_ADDR"))
    return qs


# --------------------------------------------------------------------------- national exchange


class FileOut(Schema):
    name: str
    kind: str = Field(description="xzcf、xzxk、withdrawals 或 manifest")
    rows: int
    size: int = Field(description="字节数")
    sha256: str


class ExportOut(Schema):
    id: int
    batch: str = Field(description="批次号")
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    since: dt.datetime | None = Field(description="起始水位（不含）")
    until: dt.datetime = Field(description="截止水位（含）")
    id_numbers: str = Field(description="证件号码：masked 脱敏 / full 完整")
    counts: dict[str, int]
    manifest_sha256: str
    files: list[FileOut]
    accepted: int = Field(description="回执：已接收")
    rejected: int = Field(description="回执：被拒绝")

    @staticmethod
    def resolve_batch(obj: ExchangeExport) -> str:
        return obj.batch_code

    @staticmethod
    def resolve_files(obj: ExchangeExport) -> list[Any]:
        return list(obj.files.all())


class AckOut(Schema):
    accepted: int
    rejected: int
    errors: list[str]
    summary: str


@router.get("/exports", auth=CREDIT_OFFICE, response={200: list[ExportOut], **ERRORS},
            summary="国家平台导出批次（文件、SHA-256、回执统计）")
@paginate(Pagination)
def exports(request: HttpRequest) -> Any:
    return ExchangeExport.objects.prefetch_related("files").annotate(
        accepted=Count("acks", filter=Q(acks__accepted=True)), rejected=Count("acks", filter=Q(acks__accepted=False))
    ).order_by("-id")  # GROUP BY drops Meta.ordering


class ExportRunOut(Schema):
    queued: bool = Field(description="这次请求是否排入了新的导出（已在排队或进行中时为 false）")
    running: bool = Field(description="是否正在导出")
    requested_at: dt.datetime | None = Field(description="排队时间（等待后台执行）")
    progress: int = Field(description="已处理记录数")
    total: int | None = Field(description="预计记录数")
    last_finished: dt.datetime | None = Field(description="上次导出结束时间")
    last_ok: bool | None = Field(description="上次导出是否成功")
    last_export: int | None = Field(description="上次成功导出的批次编号（见 GET /exports）")
    last_error: str = Field(description="上次导出未能完成的原因")


def _run_state(queued: bool) -> dict[str, Any]:
    run = jobs.state_of(national.EXPORT_JOB)
    result = run.last_result or {}
    return {"queued": queued, "running": run.running, "requested_at": run.requested_at, "progress": run.progress,
            "total": run.total, "last_finished": run.last_finished, "last_ok": run.last_ok,
            "last_export": result.get("export"), "last_error": result.get("error", "")}


@router.post("/exports", auth=CREDIT_OFFICE, response={200: ExportRunOut, **ERRORS}, summary="开始国家平台导出（后台执行）",
             description="与导出页面的“开始导出”相同：排入后台任务，导出自上次成功导出以来变化的记录，证件号码和自然人姓名脱敏"
                         "（完整证件号码只能在命令行导出）。用 GET /exports/run 查看进度和结果。")
def start_export(request: HttpRequest) -> dict[str, Any]:
    return _run_state(national.request_export(user_of(request).get_username()))


@router.get("/exports/run", auth=CREDIT_OFFICE, response={200: ExportRunOut, **ERRORS}, summary="国家平台导出的进度和结果")
def export_run(request: HttpRequest) -> dict[str, Any]:
    return _run_state(False)


@router.post("/acks", auth=CREDIT_OFFICE, response={200: AckOut, **ERRORS}, summary="上传国家平台回执文件")
def upload_ack(request: HttpRequest, file: File[UploadedFile],
               batch: Form[str] = "") -> dict[str, Any]:
    if (file.size or 0) > acks.MAX_BYTES:
        invalid("file", "回执文件超过 20 MB")
    result = acks.import_ack(file.name or "ack", file.read(), actor=user_of(request).get_username(),
                             batch=batch or None)
    return {"accepted": result.accepted, "rejected": result.rejected, "errors": result.errors[:200],
            "summary": result.summary()}
