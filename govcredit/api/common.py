"""What every router of the JSON API shares: authentication, error responses, paging, small schemas.

Authorisation itself is not decided here: handlers ask ``govcredit.accounts.access`` and nothing else.
"""

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.accounts.services import user_for_token
from govcredit.core.paging import MAX_PAGE, warn_if_unordered
from govcredit.core.params import BadParameter

MAX_PAGE_SIZE = 100
PER_PAGE = getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50)

MSG_UNAUTHENTICATED = "未登录或登录已过期：请登录，或在请求头中提供有效的接口令牌（Authorization: Bearer gc_...）"
MSG_BAD_TOKEN = "接口令牌无效或已吊销"  # noqa: S105 (a message, not a secret)
MSG_FORBIDDEN = "您的角色无权进行此操作"
MSG_NOT_FOUND = "未找到该对象，或不在您的查看范围内"
MSG_CSRF = "CSRF 校验失败：请刷新页面后重试"
MSG_INVALID = "输入有误"
MSG_TOO_BIG = "请求体超过 {mb} MB 上限：请分批提交，或上传文件（POST /api/intake/batches/upload）"


# --------------------------------------------------------------------------- authentication

AUTH_METHOD_ATTR = "govcredit_auth_method"


class _RoleGate:
    """Optionally refuse (403) roles outside ``roles`` at authentication, before the body is even parsed."""

    roles: set[Role] | None = None

    def _admit(self, request: HttpRequest, user: User, method: str) -> User:
        if self.roles is not None:
            access.require(user, self.roles)
        setattr(request, AUTH_METHOD_ATTR, method)
        return user


class TokenAuth(_RoleGate, HttpBearer):
    """``Authorization: Bearer gc_...`` for machine clients. A wrong or revoked token is refused outright."""

    openapi_description = "接口令牌：请求头 Authorization: Bearer gc_...（在 POST /api/tokens 创建）"

    def __init__(self, roles: set[Role] | None = None) -> None:
        self.roles = roles
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationError(401, MSG_BAD_TOKEN)
        return self._admit(request, user, "token")


class SessionAuth(_RoleGate, APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token as for any form."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "浏览器登录会话（Cookie），修改类请求需带 X-CSRFToken 请求头"

    def __init__(self, roles: set[Role] | None = None) -> None:
        self.roles = roles
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:  # None on safe methods
            raise HttpError(403, MSG_CSRF)
        return self._admit(request, user, "session")


def api_auth(roles: set[Role] | None = None) -> list[Any]:
    """Token or session, for any role or (with ``roles``) only for those; handlers still check ``access``."""
    return [TokenAuth(roles), SessionAuth(roles)]


API_AUTH = api_auth()

M = TypeVar("M", bound=Model)


def user_of(request: HttpRequest) -> User:
    """The authenticated caller (by token or by session)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def actor_of(request: HttpRequest) -> User:
    """The actor written to the ledger: the request's user (the entry keeps the user and the user name)."""
    return user_of(request)


def via_session(request: HttpRequest) -> bool:
    return getattr(request, AUTH_METHOD_ATTR, None) == "session"


# --------------------------------------------------------------------------- errors

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
    message: str = Field(description="中文错误说明")


class ErrorOut(Schema):
    detail: str = Field(description="错误摘要")
    errors: list[FieldErrorOut] = Field(default_factory=list, description="逐字段的错误（仅输入有误时）")


def _pydantic_message(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    fixed = {
        "missing": "必填项，不能缺少",
        "string_type": "应为文本",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "date_type": "应为日期（YYYY-MM-DD）",
        "date_parsing": "应为日期（YYYY-MM-DD）",
        "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不能带时间",
        "datetime_type": "应为日期时间",
        "datetime_parsing": "应为日期时间",
        "float_type": "应为数字",
        "float_parsing": "应为数字",
        "decimal_type": "应为数字",
        "decimal_parsing": "应为数字",
        "dict_type": "应为对象（键值对）",
        "list_type": "应为数组",
        "model_type": "应为对象",
        "model_attributes_type": "应为对象",
        "extra_forbidden": "不接受这个字段",
        "json_invalid": "不是有效的 JSON",
        "json_type": "不是有效的 JSON",
        "string_pattern_mismatch": "格式不正确",
        "none_required": "应为空",
        "url_parsing": "不是有效的网址",
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "greater_than":
        return f"必须大于 {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind == "less_than":
        return f"必须小于 {ctx.get('lt')}"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length')} 项"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        return f"应为以下之一：{expected}"
    if kind in {"value_error", "assertion_error"}:
        text = str(ctx.get("error") or err.get("msg", ""))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or "格式不正确"
    return "格式不正确"


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters"}:  # the handler's parameter name
        parts = parts[1:]
    return ".".join(parts)


def _errors_response(api: NinjaAPI, request: HttpRequest, errors: list[dict[str, str]],
                     detail: str = MSG_INVALID) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


_ROUTERS: list[tuple[str, str]] = []


def register_router(prefix: str, router: str) -> None:
    """Mount an app's router (its dotted path, e.g. ``"govcredit.subjects.api.router"``) under ``prefix``
    in the API; called from the app's ``apps.py`` ``ready()``. The router is imported only when the API
    is assembled (``api/api.py``, on the first request), so commands do not load every app's schemas."""
    if (prefix, router) not in _ROUTERS:
        _ROUTERS.append((prefix, router))


def registered_routers() -> list[tuple[str, str]]:
    """The registered routers with their prefixes, in the order the apps registered them."""
    return list(_ROUTERS)


_INPUT_ERRORS: list[type[Exception]] = []


def register_input_error(exc_class: type[Exception]) -> None:
    """An app's own error for input its rules refuse (e.g. ``catalog.services.CatalogError``), which the
    API answers with 422 and the error's message; registered from the app's ``apps.py`` ``ready()``, so
    this module imports no app above ``accounts``."""
    if exc_class not in _INPUT_ERRORS:
        _INPUT_ERRORS.append(exc_class)


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error the API returns is JSON with a Chinese ``detail``."""

    def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            if "loc" in err:
                errors.append({"field": _field_path(err["loc"]), "message": _pydantic_message(err)})
            else:  # e.g. a malformed pagination cursor: {"name": "message"}
                errors.extend({"field": str(k), "message": "格式不正确"} for k in err)
        return _errors_response(api, request, errors)

    def on_service_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        with translation.override("zh-hans"):
            if hasattr(exc, "error_dict"):
                errors = [{"field": "" if key == NON_FIELD_ERRORS else str(key), "message": str(msg)}
                          for key, messages in exc.message_dict.items() for msg in messages]
            else:
                errors = [{"field": "", "message": str(msg)} for msg in exc.messages]
        return _errors_response(api, request, errors)

    def on_input_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _errors_response(api, request, [{"field": "", "message": str(exc)}], detail=str(exc))

    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or MSG_FORBIDDEN}, status=403)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": MSG_NOT_FOUND}, status=404)

    def on_bad_request(request: HttpRequest, exc: BadRequest) -> HttpResponse:
        message = str(exc) if isinstance(exc, BadParameter) else "请求无法处理，请检查参数"
        return api.create_response(request, {"detail": message}, status=400)

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return api.create_response(request, {"detail": MSG_TOO_BIG.format(mb=limit // 1024**2)}, status=413)

    english = {
        "Unauthorized": MSG_UNAUTHENTICATED,
        "Forbidden": MSG_FORBIDDEN,
        "CSRF check Failed": MSG_CSRF,
        "Too many requests.": "请求过于频繁，请稍后再试",
    }

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.message.startswith("Cannot parse request body"):
            return _errors_response(api, request, [{"field": "", "message": "请求体不是有效的 JSON"}])
        message = english.get(exc.message, exc.message)
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    _add_handler(api, NinjaValidationError, on_schema_error)
    _add_handler(api, DjangoValidationError, on_service_error)
    for exc_class in _INPUT_ERRORS:
        _add_handler(api, exc_class, on_input_error)
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


# --------------------------------------------------------------------------- paging

class Pagination(PageNumberPagination):
    """``?page=&page_size=``; deep paging is bounded as on the web pages (core.paging.MAX_PAGE)."""

    class PageInput(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码，从 1 开始（最多 {MAX_PAGE} 页）")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE,
                                      description=f"每页条数（默认 {PER_PAGE}，"
                                                  f"最多 {MAX_PAGE_SIZE}）")

    Input = PageInput

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="符合条件的总条数")
        page: int = Field(description="当前页码")
        page_size: int = Field(description="每页条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PER_PAGE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset: QuerySet, pagination: Any, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        warn_if_unordered(queryset)
        result: dict[str, Any] = super().paginate_queryset(queryset, pagination, request, **params)
        result["page"] = pagination.page
        result["page_size"] = self._get_page_size(pagination.page_size)
        return result


# --------------------------------------------------------------------------- small shared schemas

class Ref(Schema):
    id: int = Field(description="编号")
    name: str = Field(description="名称")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="理由（写入留痕记录）")
