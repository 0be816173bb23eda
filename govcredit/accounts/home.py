"""The accounts' part of the home page (registered in ``apps.py``): for the credit office, the way to the
user pages, with how many users have yet to replace a temporary password."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govcredit.core.home import HomeTile

from . import access
from .selectors import manageable_users

TILE = "accounts"


def context(request: HttpRequest) -> dict[str, Any]:
    if not access.has(request.user, access.MANAGE_USERS):
        return {"can_manage_users": False}
    pending = manageable_users(request.user).filter(is_active=True, must_change_password=True).count()
    return {"can_manage_users": True, "pending": pending}


HOME_TILE = HomeTile(order=90, template="accounts/home_users.html", context=context)
