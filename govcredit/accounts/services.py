"""Account operations: users for organisations (each change a ledger entry), API tokens.

Users are a ledgered model: creating one, assigning its role and organisation, resetting or changing
its password and deactivating or reactivating it are the services below, each one transaction with its
ledger entry (``account.*`` event types, registered in ``apps.py``).
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govcredit.core import clock
from govcredit.ledger.services import Actor, save_with_entry
from govcredit.subjects.models import CivilServant, Organization

from .models import ApiToken, Role, User

TOKEN_PREFIX = "gc_"  # noqa: S105 - a visible prefix, not a secret
#: Roles that act for an organisation and so must belong to one.
NEEDS_ORGANIZATION = {Role.CREDIT_OFFICE, Role.SUBMITTER, Role.PERSONNEL, Role.DISTRICT, Role.SUBJECT}


def _check(user: User) -> None:
    if user.role not in Role.values:
        raise ValidationError({"role": _("未知的角色")})
    if user.role in NEEDS_ORGANIZATION and user.organization_id is None:
        raise ValidationError({"organization": _("角色“%(role)s”必须指定所属单位") % {"role": Role(user.role).label}})
    if user.civil_servant_id is not None and user.role != Role.SUBJECT:
        raise ValidationError({"civil_servant": _("只有信用主体角色的用户可以关联本人档案")})


def create_user(username: str, password: str, *, role: Role | str, organization: Organization | None,
                civil_servant: CivilServant | None = None, display_name: str = "", actor: Actor = "system",
                must_change_password: bool = False, reason: str = "") -> User:
    """A new user with its ``account.create`` entry (the password hash is never in the entry)."""
    username = User.normalize_username(username.strip())
    if not username:
        raise ValidationError({"username": _("请填写用户名")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("该用户名已被使用")})
    user = User(username=username, role=role, organization=organization, civil_servant=civil_servant,
                first_name=display_name.strip(), must_change_password=must_change_password)
    _check(user)
    user.set_password(password)
    save_with_entry(user, actor=actor, action="account.create", reason=reason or "创建用户")
    return user


@transaction.atomic
def update_user(user: User, *, role: Role | str, organization: Organization | None, display_name: str,
                actor: Actor, reason: str, email: str | None = None) -> User:
    """Assign a user's role, organisation, display name and (when given) e-mail address, where notifications
    go; the entry names what changed from what to what."""
    if not reason.strip():
        raise ValidationError({"reason": _("修改用户必须填写理由")})
    locked: User = User.objects.select_for_update().get(pk=user.pk)
    locked.role, locked.organization, locked.first_name = role, organization, display_name.strip()
    if email is not None:
        locked.email = User.objects.normalize_email(email.strip())
    if locked.role != Role.SUBJECT:
        locked.civil_servant = None
    _check(locked)
    save_with_entry(locked, actor=actor, action="account.update", reason=reason)
    return locked


def temporary_password() -> str:
    """A one-time password for a reset: 12 characters from an alphabet without look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def reset_password(user: User, *, actor: Actor, reason: str) -> str:
    """Give the user a temporary password, returned once; they must choose their own at the next login."""
    if not reason.strip():
        raise ValidationError({"reason": _("重置密码必须填写理由")})
    password = temporary_password()
    locked: User = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.must_change_password = True
    save_with_entry(locked, actor=actor, action="account.reset_password", reason=reason)
    return password


@transaction.atomic
def change_own_password(user: User, old: str, new: str) -> User:
    """The user replaces their password (e.g. the temporary one after a reset); checked against the
    configured password validators."""
    locked: User = User.objects.select_for_update().get(pk=user.pk)
    if not locked.check_password(old):
        raise ValidationError({"old_password": _("原密码不正确")})
    if old == new:
        raise ValidationError({"new_password": _("新密码不能与原密码相同")})
    password_validation.validate_password(new, locked)
    locked.set_password(new)
    locked.must_change_password = False
    save_with_entry(locked, actor=locked, action="account.change_password", reason="本人修改密码")
    return locked


@transaction.atomic
def set_active(user: User, active: bool, *, actor: Actor, reason: str) -> User:
    """Deactivate (the user can no longer log in, and their sessions and API tokens stop working) or
    reactivate a user; nobody deactivates themselves."""
    if not reason.strip():
        raise ValidationError({"reason": _("停用或启用用户必须填写理由")})
    if not active and not isinstance(actor, str) and actor.pk == user.pk:
        raise ValidationError({"is_active": _("不能停用自己的账号")})
    locked: User = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        raise ValidationError({"is_active": _("该用户已是启用状态") if active else _("该用户已停用")})
    locked.is_active = active
    save_with_entry(locked, actor=actor, action="account.reactivate" if active else "account.deactivate",
                    reason=reason)
    return locked


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_digest(key))
    return token, key


def user_for_token(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


def revoke_token(token: ApiToken) -> ApiToken:
    """Revoke a token at once; it is kept (marked revoked) so its use stays traceable."""
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return token
