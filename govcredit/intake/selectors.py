"""Which import batches a user may see: those of the organisations in the user's scope, for the roles that
submit or read batches (policy: ``access.READ_BATCHES``); used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access
from govcredit.subjects.selectors import visible_orgs

from .models import ImportBatch


def visible_batches(user: Any) -> QuerySet[ImportBatch]:
    """The batches ``user`` may see (none for other roles), with the relations their lists show."""
    if not access.has(user, access.READ_BATCHES):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(org__in=visible_orgs(user)).select_related(
        "record_type", "type_version", "org", "created_by")
