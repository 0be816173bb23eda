"""What each user may see of objections and repairs: one scope for pages, API, exports and tests.

A subject sees those about its own records (``archive.selectors.visible_records``), whoever filed them;
everyone else sees those whose case is in its scope (``workflow.selectors.visible_cases``: the credit
office all, a district or a department those owed by organisations in its subtree). Roles without
internal access see none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.archive.selectors import visible_records
from govcredit.workflow.selectors import visible_cases

from .models import Objection, Repair


def _scoped(model: type[Objection] | type[Repair], user: Any) -> QuerySet[Any]:
    role = access.role_of(user)
    rows = model.objects.select_related("record", "record__record_type", "case", "record__issuing_org")
    if role == Role.SUBJECT:
        return rows.filter(record__in=visible_records(user).values("pk"))
    if role in access.READ_REMEDIES:
        return rows.filter(case__in=visible_cases(user).values("pk"))
    return rows.none()


def visible_objections(user: Any) -> QuerySet[Objection]:
    return _scoped(Objection, user)


def visible_repairs(user: Any) -> QuerySet[Repair]:
    return _scoped(Repair, user)


def followed_records(user: Any) -> QuerySet[Any] | None:
    """The records whose workflow cases a subject follows in its inbox (its own: objections and repairs on
    them are owed by the submitting department); None for every other role, whose scope already holds them."""
    if access.role_of(user) != Role.SUBJECT:
        return None
    return visible_records(user)


def open_first(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Open cases first, the earliest due (the late ones) at the top; then the closed ones, newest first."""
    return rows.order_by(F("case__closed_at").desc(nulls_first=True), "case__due_on", "-pk")
