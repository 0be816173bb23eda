"""What each user may see of the obligations register (pages, API, exports start here)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govcredit.accounts import access
from govcredit.subjects.models import Organization
from govcredit.subjects.selectors import visible_orgs
from govcredit.workflow.models import Case

from .models import BreachCandidate, Contract, Milestone, Obligation


def visible_obligations(user: Any) -> QuerySet[Obligation]:
    scope = access.obligation_scope(user)
    if scope is None:
        return Obligation.objects.none()
    return Obligation.objects.filter(scope).select_related("debtor_org", "responsible_person")


def visible_contracts(user: Any) -> QuerySet[Contract]:
    scope = access.obligation_scope(user)
    if scope is None:
        return Contract.objects.none()
    return Contract.objects.filter(_as(scope, "buyer")).select_related("buyer")


def visible_milestones(user: Any) -> QuerySet[Milestone]:
    scope = access.obligation_scope(user)
    if scope is None:
        return Milestone.objects.none()
    return Milestone.objects.filter(_as(scope, "contract__buyer")).select_related("contract", "contract__buyer")


def visible_complaints(user: Any) -> QuerySet[Case]:
    """Complaints about non-payment owed by organisations in the user's obligation scope (a case's
    ``debtor_org`` is the buying department)."""
    from .workflow import COMPLAINT

    scope = access.obligation_scope(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope, kind=COMPLAINT.code).select_related("debtor_org")


def managed_orgs(user: Any) -> QuerySet[Organization]:
    """The organisations the user may register contracts for (its subtree; the credit office all)."""
    if not access.has(user, access.MANAGE_OBLIGATIONS):
        return Organization.objects.none()
    return visible_orgs(user).order_by("path")


def visible_candidates(user: Any) -> QuerySet[BreachCandidate]:
    scope = access.obligation_scope(user)
    if scope is None:
        return BreachCandidate.objects.none()
    return BreachCandidate.objects.filter(_as(scope, "obligation__debtor_org")).select_related(
        "obligation", "subject_org", "responsible_person")


def _as(scope: Q, path: str) -> Q:
    """The obligation scope (written on ``debtor_org``) moved onto another relation to an organisation."""
    out = Q()
    out.connector, out.negated = scope.connector, scope.negated
    for child in list(scope.children):
        if isinstance(child, Q):
            out.children.append(_as(child, path))
        elif isinstance(child, tuple):
            key, value = child
            out.children.append((str(key).replace("debtor_org", path, 1), value))
    return out
