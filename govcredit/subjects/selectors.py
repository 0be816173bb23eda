"""Which organisations and civil servants a user may see: the one scope of every read path of subjects
(pages, API, the record-entry party choice, the home page, exports and tests).

Scope itself is defined by :func:`govcredit.accounts.access.org_scope` and ``person_scope`` (the policy);
this module turns it into the querysets every reader starts from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govcredit.accounts import access

from .models import CivilServant, Organization


def visible_orgs(user: Any) -> QuerySet[Organization]:
    """The organisations ``user`` may see (none for roles without internal access)."""
    scope = access.org_scope(user)
    return Organization.objects.none() if scope is None else Organization.objects.filter(scope)


def visible_people(user: Any) -> QuerySet[CivilServant]:
    """The civil servants ``user`` may see (none for roles without internal access)."""
    scope = access.person_scope(user)
    return CivilServant.objects.none() if scope is None else CivilServant.objects.filter(scope)
