"""JSON API: the caller (``/api/me``) and its API tokens (``/api/tokens``)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from govcredit.accounts import access
from govcredit.accounts.models import ApiToken
from govcredit.accounts.selectors import tokens_of
from govcredit.accounts.services import issue_token
from govcredit.accounts.services import revoke_token as revoke
from govcredit.api.common import ERRORS, Ref, api_auth, forbidden, get_in_scope, user_of, via_session
from govcredit.core.params import ObjectId

router = Router(tags=["账户与令牌"])
TOKEN_USERS = api_auth(access.READ_SUBJECTS)  # not 社会公众 / 第三方评估机构


class RoleOut(Schema):
    code: str = Field(description="角色代码，如 credit_office、district")
    label: str = Field(description="角色名称")


class MeOut(Schema):
    username: str = Field(description="用户名")
    display_name: str = Field(description="显示名")
    role: RoleOut = Field(description="角色")
    organization: Ref | None = Field(description="所属单位（无则为空）")
    civil_servant: Ref | None = Field(description="本人档案（信用主体中的公务员用户）")
    can_see_full_id: bool = Field(description="是否可查看完整身份证号")
    auth: str = Field(description="本次请求的认证方式：session（登录会话）或 token（接口令牌）")


class TokenOut(Schema):
    id: int = Field(description="令牌编号")
    name: str = Field(description="名称（用途）")
    prefix: str = Field(description="令牌前 8 位，便于辨认")
    created_at: datetime = Field(description="创建时间")
    last_used_at: datetime | None = Field(description="最近使用时间")
    revoked: bool = Field(description="是否已吊销")


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="令牌全文，仅此一次返回，请妥善保存")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="名称（用途），如“区数据交换程序”")


def _may_use_tokens(request: HttpRequest) -> None:
    """Tokens are for roles that can read anything through the API (not 社会公众 / 第三方评估机构)."""
    if not access.has(user_of(request), access.READ_SUBJECTS):
        forbidden()


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户", description="当前调用者的身份、角色和所属单位。")
def me(request: HttpRequest) -> MeOut:
    user = user_of(request)
    org, person = user.organization, user.civil_servant
    return MeOut(
        username=user.get_username(),
        display_name=user.get_full_name() or user.get_username(),
        role=RoleOut(code=str(user.role), label=str(user.get_role_display())),
        organization=Ref(id=org.pk, name=org.name) if org else None,
        civil_servant=Ref(id=person.pk, name=person.name) if person else None,
        can_see_full_id=access.can_see_full_id(user),
        auth="session" if via_session(request) else "token",
    )


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, auth=TOKEN_USERS, summary="我的接口令牌")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    _may_use_tokens(request)
    return list(tokens_of(user_of(request)))


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, auth=TOKEN_USERS, summary="创建接口令牌",
             description="只能在浏览器登录会话中为本人创建；令牌全文仅在此响应中出现一次。")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    _may_use_tokens(request)
    if not via_session(request):
        forbidden("接口令牌只能在登录会话中创建，不能用令牌再创建令牌")
    token, secret = issue_token(user_of(request), payload.name.strip())
    return Status(201, TokenCreatedOut(id=token.pk, name=token.name, prefix=token.prefix, created_at=token.created_at,
                                       last_used_at=token.last_used_at, revoked=token.revoked, secret=secret))


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, auth=TOKEN_USERS, summary="吊销接口令牌",
               description="吊销本人的一个令牌；吊销后该令牌立即失效。")
def revoke_token(request: HttpRequest, token_id: ObjectId) -> ApiToken:
    _may_use_tokens(request)
    token = get_in_scope(tokens_of(user_of(request)), pk=token_id)
    return revoke(token)
