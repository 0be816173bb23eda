"""What a user may see of the accounts: their own API tokens, and for the credit office the users and
organisations of the user-management pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govcredit.subjects.models import Organization
from govcredit.subjects.selectors import visible_orgs

from . import access
from .models import ApiToken, User


def manageable_users(user: Any) -> QuerySet[User]:
    """The users ``user`` may manage: every user for the credit office, nobody for anyone else."""
    users: QuerySet[User] = User.objects.select_related("organization").order_by("username")
    return users if access.has(user, access.MANAGE_USERS) else users.none()


def search_users(users: QuerySet[User], text: str) -> QuerySet[User]:
    """Users whose user name or display name contains ``text``, or whose organisation's name does."""
    return users.filter(Q(username__icontains=text) | Q(first_name__contains=text)
                        | Q(organization__name__contains=text))


def find_users(text: str) -> QuerySet[Any]:
    """Ids of the users a ledger-page search names (user name or display name)."""
    ids: QuerySet[Any] = User.objects.filter(Q(username=text) | Q(first_name=text)).values("pk")
    return ids


def organization_choices(user: Any, text: str, limit: int = 20) -> list[Organization]:
    """Organisations in ``user``'s scope whose name or credit code contains ``text`` (the search-as-you-type
    field of the user pages); nothing for one character, nor for a user who may not manage users."""
    text = text.strip()
    if len(text) < 2 or not access.has(user, access.MANAGE_USERS):
        return []
    orgs = visible_orgs(user).filter(Q(name__contains=text) | Q(credit_code__startswith=text.upper()))
    return list(orgs.order_by("depth", "name", "pk")[:limit])


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first."""
    return ApiToken.objects.filter(user_id=getattr(user, "pk", None) or 0).order_by("-created_at", "-id")
