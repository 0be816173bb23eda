"""What each user may see of the workflow: one scope used by the inbox, the pages, the API and the services."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govcredit.accounts import access
from govcredit.accounts.models import Role

from .models import Case


def case_scope(user: Any) -> Q | None:
    """A filter on Case for the cases the user may see; None means none.

    The same subtree rule as the archive (``access``): city-wide roles see every case, a district or a
    submitting department the cases owed by organisations and people in its subtree, a subject its own.
    """
    role = access.role_of(user)
    if role in access.CITY_WIDE:
        return Q()
    if role in access.SUBTREE and user.organization_id:
        path = user.organization.path
        return Q(debtor_org__path__startswith=path) | Q(debtor_person__employer__path__startswith=path)
    if role == Role.SUBJECT:
        if user.civil_servant_id:
            return Q(debtor_person_id=user.civil_servant_id)
        if user.organization_id:
            return Q(debtor_org_id=user.organization_id)
    return None


def visible_cases(user: Any) -> QuerySet[Case]:
    scope = case_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope).select_related("debtor_org", "debtor_person")
