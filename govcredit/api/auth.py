"""How the API knows its caller: a bearer token for machine clients or the browser's session.

A role gate may refuse roles at authentication (403 before the body is parsed); authorisation itself is
decided by ``govcredit.accounts.access`` and nothing else.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.accounts.services import user_for_token

MSG_BAD_TOKEN = gettext_noop("接口令牌无效或已吊销")  # noqa: S105 (a message, not a secret)
MSG_CSRF = gettext_noop("CSRF 校验失败：请刷新页面后重试")

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

def user_of(request: HttpRequest) -> User:
    """The authenticated caller (by token or by session)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def actor_of(request: HttpRequest) -> User:
    """The actor written to the ledger: the request's user (the entry keeps the user and the user name)."""
    return user_of(request)


def via_session(request: HttpRequest) -> bool:
    return getattr(request, AUTH_METHOD_ATTR, None) == "session"
