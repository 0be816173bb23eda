"""The API's error answers: every error is JSON with a ``detail`` (and per-field ``errors`` for 422), in
the request's language (Chinese by default, English with ``?lang=en`` or ``Accept-Language: en``).

Mapped once, here: schema errors and Django's ``ValidationError`` 422, a domain rule's refusal
(``core.errors.DomainError``) 422 with its message or its own status (409 for a ``Conflict``), 403, 404
(absent or out of scope alike), 400, 413 and ninja's own errors. Handlers raise; they do not
build error responses themselves. The fixed texts are Chinese msgids translated when the answer is made.
"""

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from govcredit.core.errors import DomainError
from govcredit.core.params import BadParameter

from .auth import MSG_CSRF

MSG_UNAUTHENTICATED = gettext_noop("未登录或登录已过期：请登录，或在请求头中提供有效的接口令牌（Authorization: Bearer gc_...）")
MSG_FORBIDDEN = gettext_noop("您的角色无权进行此操作")
MSG_NOT_FOUND = gettext_noop("未找到该对象，或不在您的查看范围内")
MSG_INVALID = gettext_noop("输入有误")
MSG_TOO_BIG = gettext_noop("请求体超过 {mb} MB 上限：请分批提交，或上传文件（POST /api/intake/batches/upload）")

M = TypeVar("M", bound=Model)


def forbidden(message: str = MSG_FORBIDDEN) -> NoReturn:
    raise PermissionDenied(message)


def invalid(field: str, message: str) -> NoReturn:
    """Raise a 422 for one field (the same shape as a service's ValidationError)."""
    raise DjangoValidationError({field: message})


def get_in_scope(queryset: QuerySet[M], **lookup: Any) -> M:
    """The object from the caller's scope, or 404 whether it is absent or merely out of scope."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404(MSG_NOT_FOUND)
    return obj


class FieldErrorOut(Schema):
    field: str = Field(description="出错的字段（嵌套字段以“.”连接；整体性错误为空）")
    message: str = Field(description="错误说明（请求的语言；默认中文）")


class ErrorOut(Schema):
    detail: str = Field(description="错误摘要")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="逐字段的错误（仅输入有误时）")


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    fixed = {
        "missing": gettext_noop("必填项，不能缺少"),
        "string_type": gettext_noop("应为文本"),
        "int_type": gettext_noop("应为整数"),
        "int_parsing": gettext_noop("应为整数"),
        "int_from_float": gettext_noop("应为整数"),
        "bool_type": gettext_noop("应为 true 或 false"),
        "bool_parsing": gettext_noop("应为 true 或 false"),
        "date_type": gettext_noop("应为日期（YYYY-MM-DD）"),
        "date_parsing": gettext_noop("应为日期（YYYY-MM-DD）"),
        "date_from_datetime_parsing": gettext_noop("应为日期（YYYY-MM-DD）"),
        "date_from_datetime_inexact": gettext_noop("应为日期（YYYY-MM-DD），不能带时间"),
        "datetime_type": gettext_noop("应为日期时间"),
        "datetime_parsing": gettext_noop("应为日期时间"),
        "float_type": gettext_noop("应为数字"),
        "float_parsing": gettext_noop("应为数字"),
        "decimal_type": gettext_noop("应为数字"),
        "decimal_parsing": gettext_noop("应为数字"),
        "dict_type": gettext_noop("应为对象（键值对）"),
        "list_type": gettext_noop("应为数组"),
        "model_type": gettext_noop("应为对象"),
        "model_attributes_type": gettext_noop("应为对象"),
        "extra_forbidden": gettext_noop("不接受这个字段"),
        "json_invalid": gettext_noop("不是有效的 JSON"),
        "json_type": gettext_noop("不是有效的 JSON"),
        "string_pattern_mismatch": gettext_noop("格式不正确"),
        "none_required": gettext_noop("应为空"),
        "url_parsing": gettext_noop("不是有效的网址"),
    }
    if kind in fixed:
        return _(fixed[kind])
    if kind == "greater_than_equal":
        return _("不能小于 %(n)s") % {"n": ctx.get("ge")}
    if kind == "greater_than":
        return _("必须大于 %(n)s") % {"n": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("不能大于 %(n)s") % {"n": ctx.get("le")}
    if kind == "less_than":
        return _("必须小于 %(n)s") % {"n": ctx.get("lt")}
    if kind == "string_too_short":
        return _("不能为空") if ctx.get("min_length") == 1 else _("至少 %(n)s 个字符") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("不能超过 %(n)s 个字符") % {"n": ctx.get("max_length")}
    if kind == "too_short":
        return _("至少需要 %(n)s 项") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("最多 %(n)s 项") % {"n": ctx.get("max_length")}
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        return _("应为以下之一：%(values)s") % {"values": expected}
    if kind in {"value_error", "assertion_error"}:
        text = str(ctx.get("error") or err.get("msg", ""))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or _("格式不正确")
    return _("格式不正确")


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters"}:  # the handler's parameter name
        parts = parts[1:]
    return ".".join(parts)


def _errors_response(api: NinjaAPI, request: HttpRequest, errors: list[dict[str, str]],
                     detail: str = "") -> HttpResponse:
    return api.create_response(request, {"detail": detail or _(MSG_INVALID), "errors": errors}, status=422)


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error the API returns is JSON with a ``detail`` in the request's language."""

    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            if "loc" in err:
                errors.append({"field": _field_path(err["loc"]), "message": _pydantic_message(err)})
            else:  # e.g. a malformed pagination cursor: {"name": "message"}
                errors.extend({"field": str(k), "message": _("格式不正确")} for k in err)
        return _errors_response(api, request, errors)

    def on_service_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [{"field": "" if key == NON_FIELD_ERRORS else str(key), "message": str(msg)}
                      for key, messages in exc.message_dict.items() for msg in messages]
        else:
            errors = [{"field": "", "message": str(msg)} for msg in exc.messages]
        return _errors_response(api, request, errors)

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        if exc.status == 422:
            return _errors_response(api, request, [{"field": exc.field, "message": str(exc)}], detail=str(exc))
        return api.create_response(request, {"detail": str(exc)}, status=exc.status)

    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": _(str(exc) or MSG_FORBIDDEN)}, status=403)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _(MSG_NOT_FOUND)}, status=404)

    def on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
        message = str(exc) if isinstance(exc, BadParameter) else _("请求无法处理，请检查参数")
        return api.create_response(request, {"detail": message}, status=400)

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return api.create_response(request, {"detail": _(MSG_TOO_BIG).format(mb=limit // 1024**2)}, status=413)

    english = {
        "Unauthorized": MSG_UNAUTHENTICATED,
        "Forbidden": MSG_FORBIDDEN,
        "CSRF check Failed": MSG_CSRF,
        "Too many requests.": gettext_noop("请求过于频繁，请稍后再试"),
    }

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.message.startswith("Cannot parse request body"):
            return _errors_response(api, request, [{"field": "", "message": _("请求体不是有效的 JSON")}])
        message = _(english[exc.message]) if exc.message in english else _(exc.message)
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    _add_handler(api, NinjaValidationError, on_schema_error)
    _add_handler(api, DjangoValidationError, on_service_error)
    _add_handler(api, DomainError, on_domain_error)
    _add_handler(api, PermissionDenied, on_forbidden)
    _add_handler(api, Http404, on_not_found)
    _add_handler(api, BadRequest, on_bad_request)
    _add_handler(api, RequestDataTooBig, on_too_big)
    _add_handler(api, HttpError, on_http_error)


E = TypeVar("E", bound=Exception)


def _add_handler(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # ninja types the handler's argument as "the exception or its class"; it is always the instance.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


# Responses every authenticated operation may give besides its success response.
ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
