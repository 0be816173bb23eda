"""Which records a department may read through the shared query: those it may see at all
(``archive.selectors.visible_records``) whose catalog disclosure level its role reaches."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access
from govcredit.archive.models import CreditRecord
from govcredit.archive.selectors import visible_records
from govcredit.catalog.models import Disclosure

LEVELS_FOR_OTHERS = (Disclosure.PUBLIC, Disclosure.SHARED)


def visible_levels(user: Any) -> tuple[str, ...]:
    """The catalog disclosure levels the user may query through the shared channel."""
    if access.has(user, access.SHARED_QUERY_INTERNAL):
        return (Disclosure.PUBLIC, Disclosure.SHARED, Disclosure.INTERNAL)
    if access.has(user, access.SHARED_QUERY):
        return LEVELS_FOR_OTHERS
    return ()


def shared_records(user: Any) -> QuerySet[CreditRecord]:
    """The records ``user`` may find through the shared query (none for roles without it)."""
    levels = visible_levels(user)
    if not levels:
        return CreditRecord.objects.none()
    return visible_records(user).filter(type_version__disclosure__in=levels)
