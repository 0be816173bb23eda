"""JSON API of 查询与报告 (mounted at ``/api/reports/``): purpose-logged queries, the logged reveal of a full
ID number, issuing and reading reports, the audit of queries, a subject's view of who looked, and the
public verification of a report by its number and code."""

import datetime as dt
from typing import Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, get_in_scope, invalid, user_of
from govcredit.core.params import ObjectId
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

from . import services
from .models import ArchiveQuery, CreditReport, Purpose, QueryAction
from .selectors import audit_queries, queries_about_me, visible_reports

router = Router(tags=["查询与信用报告"])
QUERIERS = api_auth(access.QUERY_ARCHIVES)


class SubjectIn(Schema):
    subject_kind: Literal["person", "org"] = Field(description="主体类型：person 公务员，org 单位")
    subject_id: ObjectId = Field(description="主体编号")
    purpose: Purpose = Field(description="查询目的")
    purpose_text: str = Field("", max_length=200, description="目的说明（“其他”时必填）")
    case_reference: str = Field(max_length=100, description="事由编号，如干部考察文号")


class QueryOut(Schema):
    id: int = Field(description="查询记录编号")
    at: dt.datetime = Field(description="查询时间")
    user_name: str = Field(description="查询人")
    user_org_name: str = Field(description="查询人单位")
    subject: str = Field(description="被查询主体", alias="subject_name")
    action: str = Field(description="操作")
    purpose: str = Field(description="查询目的")
    purpose_text: str = Field(description="目的说明")
    case_reference: str = Field(description="事由编号")


class RevealOut(Schema):
    id_number: str = Field(description="完整身份证号（本次查看已记录）")


class ReportOut(Schema):
    number: str = Field(description="报告编号")
    subject: str = Field(description="报告主体（脱敏）", alias="subject_masked")
    issued_at: dt.datetime = Field(description="出具时间")
    issuer_name: str = Field(description="出具人")
    issuer_org_name: str = Field(description="出具单位")
    content: dict[str, object] = Field(description="报告内容（出具时的版本）")
    content_digest: str = Field(description="内容摘要（SHA-256）")
    pdf_sha256: str = Field(description="PDF 文件的 SHA-256")


class IssuedOut(ReportOut):
    code: str = Field(description="核验码：仅在出具时返回一次")
    pdf_url: str = Field(description="PDF 下载地址")


class VerifyOut(Schema):
    genuine: bool = Field(description="报告是否真实")
    message: str = Field(description="核验结论")
    number: str | None = Field(None, description="报告编号")
    issued_at: dt.datetime | None = Field(None, description="出具时间")
    subject: str | None = Field(None, description="报告主体（脱敏）")
    changed_since: bool | None = Field(None, description="出具后档案是否有变化")


class VerifyIn(Schema):
    number: str = Field(max_length=24, description="报告编号")
    code: str = Field(max_length=16, description="核验码")


class AuditFilter(Schema):
    who: str = Field("", max_length=50, description="查询人（包含）")
    subject: str = Field("", max_length=50, description="被查询主体名称（包含）")
    purpose: Purpose | None = Field(None, description="查询目的")
    action: QueryAction | None = Field(None, description="操作")
    since: dt.date | None = Field(None, description="起始日期")
    until: dt.date | None = Field(None, description="截止日期")


def _subject(request: HttpRequest, payload: SubjectIn) -> CivilServant | Organization:
    user = user_of(request)
    if payload.subject_kind == "person":
        return get_in_scope(visible_people(user), pk=payload.subject_id)
    return get_in_scope(visible_orgs(user), pk=payload.subject_id)


@router.post("/queries", response={201: QueryOut, **ERRORS}, auth=QUERIERS, summary="档案查询（须说明目的）",
             description="记录查询人、被查询主体、目的、事由编号和时间；记录后方可查看档案（/api/records?subject_person=…）。")
def create_query(request: HttpRequest, payload: SubjectIn) -> Status[ArchiveQuery]:
    query = services.log_query(user_of(request), _subject(request, payload), action=QueryAction.ARCHIVE,
                               purpose=payload.purpose, purpose_text=payload.purpose_text,
                               case_reference=payload.case_reference)
    return Status(201, query)


@router.post("/reveal", response={200: RevealOut, **ERRORS}, auth=api_auth(access.FULL_ID_NUMBERS),
             summary="查看完整身份证号（单独记录）", description="仅限可查看完整身份证号的角色；每次查看都单独记录目的。")
def reveal(request: HttpRequest, payload: SubjectIn) -> RevealOut:
    if payload.subject_kind != "person":
        invalid("subject_kind", "只有公务员有身份证号")
    person = get_in_scope(visible_people(user_of(request)), pk=payload.subject_id)
    number = services.reveal_id_number(user_of(request), person, purpose=payload.purpose,
                                       purpose_text=payload.purpose_text, case_reference=payload.case_reference)
    return RevealOut(id_number=number)


@router.post("/reports", response={201: IssuedOut, **ERRORS}, auth=api_auth(access.ISSUE_REPORTS),
             summary="出具信用报告", description="记录查询并出具报告（含 PDF）；核验码只在此次返回。")
def issue(request: HttpRequest, payload: SubjectIn) -> Status[IssuedOut]:
    report, code = services.issue_report(user_of(request), _subject(request, payload), purpose=payload.purpose,
                                         purpose_text=payload.purpose_text, case_reference=payload.case_reference,
                                         verify_url=request.build_absolute_uri(reverse("reports:verify")))
    fields = {name: getattr(report, name) for name in ("number", "subject_masked", "issued_at", "issuer_name",
                                                       "issuer_org_name", "content", "content_digest", "pdf_sha256")}
    pdf_url = reverse("api-1.0:report_pdf", kwargs={"number": report.number})
    return Status(201, IssuedOut.model_validate({**fields, "code": code, "pdf_url": pdf_url}))


@router.get("/reports/{number}", response={200: ReportOut, **ERRORS}, summary="信用报告")
def get_report(request: HttpRequest, number: str) -> CreditReport:
    return get_in_scope(visible_reports(user_of(request)), number=number[:24])


@router.get("/reports/{number}/pdf", response={200: None, **ERRORS}, url_name="report_pdf", summary="信用报告 PDF")
def get_report_pdf(request: HttpRequest, number: str) -> FileResponse:
    report = get_in_scope(visible_reports(user_of(request)), number=number[:24])
    return FileResponse(open(report.pdf_path, "rb"), as_attachment=True, filename=f"{report.number}.pdf",  # noqa: SIM115
                        content_type="application/pdf")


@router.get("/audit", response={200: list[QueryOut], **ERRORS}, auth=api_auth(access.AUDIT_QUERIES),
            summary="档案查询审计", description="全部查询记录（信用管理部门），条件与页面相同。")
@paginate(Pagination)
def audit(request: HttpRequest, filters: Query[AuditFilter]) -> object:
    return audit_queries(user_of(request), **{k: v for k, v in filters.model_dump().items() if v})


@router.get("/looked-at-me", response={200: list[QueryOut], **ERRORS}, summary="谁查询了我的档案",
            description="信用主体查看自己的档案被谁、为何查询。")
@paginate(Pagination)
def looked_at_me(request: HttpRequest) -> object:
    return queries_about_me(user_of(request))


@router.get("/verify", response={200: VerifyOut, **ERRORS}, auth=None, summary="核验信用报告（公开）",
            description="凭报告编号与核验码核验报告真伪，以及出具后档案是否变化。")
def verify(request: HttpRequest, given: Query[VerifyIn]) -> VerifyOut:
    result = services.verify(given.number, given.code)
    report = result.report if result.genuine else None
    return VerifyOut(genuine=result.genuine, message=result.message, number=report.number if report else None,
                     issued_at=report.issued_at if report else None, subject=report.subject_masked if report else None,
                     changed_since=result.changed_since)
