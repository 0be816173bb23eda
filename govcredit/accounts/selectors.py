"""What a user may see of the accounts: only their own API tokens (listing and revoking)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first."""
    return ApiToken.objects.filter(user_id=getattr(user, "pk", None) or 0).order_by("-created_at", "-id")
