"""JSON API of the indicators and warnings (mounted at ``/api/indicators/``), for the credit office, districts
and departments, each within ``access.indicator_scope`` (the same selectors as the pages).

``GET /values`` lists the current values (filter by indicator code, subject, month); ``GET /warnings`` the
warnings (filter by status and level, as on ``/indicators/warnings/``).
"""


import datetime as dt
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from govcredit.accounts import access
from govcredit.api.common import ERRORS, Pagination, api_auth, user_of
from govcredit.core.params import Month, ObjectId

from .models import IndicatorValue, IndicatorWarning, WarningStatus
from .selectors import visible_values, visible_warnings

router = Router(tags=["监测预警"], auth=api_auth(access.READ_INDICATORS))


class ValueOut(Schema):
    id: int = Field(description="数值编号（某一版本）")
    indicator: str = Field(description="指标代码")
    indicator_name: str = Field(description="指标名称")
    unit: str = Field(description="单位")
    subject_id: int = Field(description="主体（区或市级部门）编号")
    subject: str = Field(description="主体名称")
    period: str = Field(description="期间 YYYY-MM")
    version: int = Field(description="版本（更正后递增）")
    value: Decimal | None = Field(description="数值；无数值时为 null，原因见 no_value_reason")
    no_value_reason: str = Field(description="无数值原因（如 分母为零）")
    source: str = Field(description="来源（表单、文件、计算）")
    created_at: dt.datetime = Field(description="写入时间")

    @staticmethod
    def resolve_indicator(obj: IndicatorValue) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_indicator_name(obj: IndicatorValue) -> str:
        return obj.indicator.name

    @staticmethod
    def resolve_unit(obj: IndicatorValue) -> str:
        return obj.indicator.unit

    @staticmethod
    def resolve_subject(obj: IndicatorValue) -> str:
        return obj.subject.name

    @staticmethod
    def resolve_period(obj: IndicatorValue) -> str:
        return f"{obj.period:%Y-%m}"


class ValueFilter(Schema):
    indicator: str | None = Field(None, description="指标代码")
    subject: ObjectId | None = Field(None, description="主体编号")
    month: Month | None = Field(None, description="期间 YYYY-MM")


class WarningOut(Schema):
    id: int = Field(description="预警编号")
    indicator: str = Field(description="指标代码")
    indicator_name: str = Field(description="指标名称")
    subject_id: int = Field(description="主体编号")
    subject: str = Field(description="主体名称")
    level: int = Field(description="当前等级（1 黄色、2 橙色、3 红色）")
    highest_level: int = Field(description="本次预警的最高等级")
    status: str = Field(description="状态（预警中、已解除）")
    since: str = Field(description="起始期间 YYYY-MM")
    last_period: str = Field(description="最近期间 YYYY-MM")
    closed_period: str | None = Field(description="解除期间 YYYY-MM")
    red_months: int = Field(description="连续红色月数")
    case_id: int | None = Field(description="办理事项编号")
    explanation: dict[str, object] = Field(description="说明：数值、预警线、规则版本与依据文件、计算输入")

    @staticmethod
    def resolve_indicator(obj: IndicatorWarning) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_indicator_name(obj: IndicatorWarning) -> str:
        return obj.indicator.name

    @staticmethod
    def resolve_subject(obj: IndicatorWarning) -> str:
        return obj.subject.name

    @staticmethod
    def resolve_since(obj: IndicatorWarning) -> str:
        return f"{obj.since:%Y-%m}"

    @staticmethod
    def resolve_last_period(obj: IndicatorWarning) -> str:
        return f"{obj.last_period:%Y-%m}"

    @staticmethod
    def resolve_closed_period(obj: IndicatorWarning) -> str | None:
        return None if obj.closed_period is None else f"{obj.closed_period:%Y-%m}"


class WarningFilter(Schema):
    status: str | None = Field(WarningStatus.OPEN, description="状态：预警中（默认）或 已解除；留空为全部")
    level: int | None = Field(None, ge=1, le=3, description="等级 1–3")


@router.get("/values", response={200: list[ValueOut], **ERRORS}, summary="指标数值（现行版本）",
            description="调用者范围内各主体各月的现行数值，按期间从新到旧。")
@paginate(Pagination)
def values(request: HttpRequest, filters: Query[ValueFilter]) -> QuerySet[IndicatorValue]:
    qs: QuerySet[IndicatorValue] = visible_values(user_of(request)).filter(is_current=True).select_related(
        "indicator", "subject")
    if filters.indicator:
        qs = qs.filter(indicator__code=filters.indicator)
    if filters.subject is not None:
        qs = qs.filter(subject_id=filters.subject)
    if filters.month is not None:
        qs = qs.filter(period=filters.month.replace(day=1))
    return qs.order_by("-period", "subject__path", "indicator__order", "pk")


@router.get("/warnings", response={200: list[WarningOut], **ERRORS}, summary="预警列表",
            description="调用者范围内的预警，等级高的在前。")
@paginate(Pagination)
def warnings(request: HttpRequest, filters: Query[WarningFilter]) -> QuerySet[IndicatorWarning]:
    qs: QuerySet[IndicatorWarning] = visible_warnings(user_of(request)).select_related("subject", "indicator")
    if filters.status in WarningStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    return qs.order_by("-level", "subject__path", "indicator__order", "pk")
