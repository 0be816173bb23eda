"""What each user may see of the workflow: one scope used by the inbox, the pages, the API and the services.

Which cases a role reaches is the access policy's (``access.case_scope``: the archive's subtree rule applied
to whoever owes the case); this module turns it into the querysets readers start from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access

from .models import Case, Notification


def visible_cases(user: Any) -> QuerySet[Case]:
    """The cases ``user`` may see, with the owing side."""
    scope = access.case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope).select_related("debtor_org", "debtor_person")


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first (none for an anonymous user)."""
    return Notification.objects.filter(user_id=getattr(user, "pk", None) or 0).order_by("-created_at", "-pk")
