"""Account operations: users for organisations, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from govcredit.core import clock
from govcredit.subjects.models import CivilServant, Organization

from .models import ApiToken, Role, User

TOKEN_PREFIX = "gc_"  # noqa: S105 - a visible prefix, not a secret


def create_user(username: str, password: str, *, role: Role, organization: Organization | None,
                civil_servant: CivilServant | None = None, display_name: str = "") -> User:
    user = User(username=username, role=role, organization=organization, civil_servant=civil_servant,
                first_name=display_name)
    user.set_password(password)
    user.save()
    return user


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
