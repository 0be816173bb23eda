"""Which credit records a user may read: the one scope of every read path (pages, records API, shared query).

Scope itself is defined by :func:`govcredit.accounts.access.record_scope`; this module turns it into the
querysets every reader starts from, so no read path can forget it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access

from .models import CreditRecord


def visible_records(user: Any) -> QuerySet[CreditRecord]:
    """The records ``user`` may read (none for roles without internal access), with their usual relations."""
    scope = access.record_scope(user)
    if scope is None:
        return CreditRecord.objects.none()
    return CreditRecord.objects.filter(scope).select_related(
        "record_type", "type_version", "subject_org", "subject_person", "issuing_org")


def archive_of(user: Any, **subject: Any) -> QuerySet[CreditRecord]:
    """A subject's records that the user may see, newest first (the archive timeline)."""
    return visible_records(user).filter(**subject).order_by("-decision_date", "-id")
