"""What each user may see of the obligations register (pages, API, exports start here)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from govcredit.accounts import access

from .models import BreachCandidate, Contract, Obligation


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
