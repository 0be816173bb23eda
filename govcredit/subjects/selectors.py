"""Which organisations and civil servants a user may see: the one scope of every read path of subjects
(pages, API, the record-entry party choice, the home page, exports and tests).

Scope itself is defined by :func:`govcredit.accounts.access.org_scope` and ``person_scope`` (the policy);
this module turns it into the querysets every reader starts from, and into what the user may find: the
organisation tree level by level with its counts, and the matches of the search-as-you-type pickers. A
count or a match never includes an organisation or a person the user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from govcredit.accounts import access

from .identifiers import normalize_credit_code
from .models import CivilServant, Organization

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a dev dependency: for the type checker only


def visible_orgs(user: Any) -> QuerySet[Organization]:
    """The organisations ``user`` may see (none for roles without internal access)."""
    scope = access.org_scope(user)
    return Organization.objects.none() if scope is None else Organization.objects.filter(scope)


def visible_people(user: Any) -> QuerySet[CivilServant]:
    """The civil servants ``user`` may see (none for roles without internal access)."""
    scope = access.person_scope(user)
    return CivilServant.objects.none() if scope is None else CivilServant.objects.filter(scope)


SUGGEST_LIMIT = 15
KINDS = ("org", "person", "any")


def _count(queryset: QuerySet[Any], link: str) -> Coalesce:
    """The number of rows of ``queryset`` whose ``link`` is the outer organisation (0 when none)."""
    counted = (queryset.filter(**{link: OuterRef("pk")}).order_by().values(link)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class OrgCounts(TypedDict):
    n_children: int
    n_staff: int


def with_counts(user: Any, orgs: QuerySet[Organization]) -> QuerySet[WithAnnotations[Organization, OrgCounts]]:
    """``orgs`` with ``n_children`` (visible direct subordinates) and ``n_staff`` (visible civil servants
    employed there): two subqueries, whatever the number of rows."""
    return orgs.annotate(n_children=_count(visible_orgs(user), "parent"),
                         n_staff=_count(visible_people(user), "employer"))


def tree_level(user: Any, parent: Organization | None) -> QuerySet[WithAnnotations[Organization, OrgCounts]]:
    """One level of the tree the user sees: the children of ``parent``, or the top of the user's scope
    (the organisations whose parent the user cannot see), in tree order with their counts."""
    visible = visible_orgs(user)
    if parent is None:
        level = visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible))
    else:
        level = visible.filter(parent=parent)
    return with_counts(user, level).select_related("parent").order_by("path", "pk")


@dataclass(frozen=True)
class Match:
    kind: str
    id: int
    label: str
    detail: str


def suggest(user: Any, q: str, kind: str = "any", limit: int = SUGGEST_LIMIT) -> list[Match]:
    """Organisations (by name or exact credit code) and civil servants (by name) in the user's scope whose
    name contains ``q``; names that begin with it first. ``kind``: ``org``, ``person`` or ``any``."""
    q = q.strip()
    if not q:
        return []
    out: list[Match] = []
    if kind in ("org", "any"):
        code = normalize_credit_code(q)
        orgs = (visible_orgs(user).filter(Q(name__contains=q) | Q(credit_code=code))
                .select_related("parent").order_by("-is_active", "depth", "name", "pk"))
        out += [Match("org", o.pk, o.name, " · ".join(filter(None, [o.credit_code, o.org_type,
                                                                     o.parent.name if o.parent else ""])))
                for o in _first(orgs, q, limit)]
    if kind in ("person", "any"):
        people = (visible_people(user).filter(name__contains=q).select_related("employer")
                  .order_by("name", "pk"))
        out += [Match("person", p.pk, p.name, " · ".join(filter(None, [p.employer.name, p.post, p.id_masked])))
                for p in _first(people, q, limit)]
    return out[:limit] if kind != "any" else out


def _first(queryset: QuerySet[Any], q: str, limit: int) -> list[Any]:
    """Up to ``limit`` rows, those whose name begins with ``q`` first (two small queries at most)."""
    starting = list(queryset.filter(name__startswith=q)[:limit])
    if len(starting) == limit:
        return starting
    rest = queryset.exclude(pk__in=[row.pk for row in starting])
    return starting + list(rest[:limit - len(starting)])
