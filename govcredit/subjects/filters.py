"""The filters of the organisation and civil-servant lists, written once: the pages and the API pass what
they parsed, so a condition means the same in both."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .identifiers import normalize_credit_code
from .models import CivilServant, Organization


def filter_orgs(orgs: QuerySet[Organization], *, q: str = "", credit_code: str = "", org_type: str = "",
                parent: int | None = None, region_code: str = "",
                is_active: bool | None = None) -> QuerySet[Organization]:
    """``q``: part of the name (letters in any case) or a whole credit code; the others exactly."""
    q = q.strip()
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(credit_code=normalize_credit_code(q)))
    if credit_code:
        orgs = orgs.filter(credit_code=normalize_credit_code(credit_code))
    if org_type:
        orgs = orgs.filter(org_type=org_type)
    if parent is not None:
        orgs = orgs.filter(parent_id=parent)
    if region_code:
        orgs = orgs.filter(region_code=region_code)
    if is_active is not None:
        orgs = orgs.filter(is_active=is_active)
    return orgs


def filter_people(people: QuerySet[CivilServant], *, q: str = "", employer: int | None = None,
                  status: str = "") -> QuerySet[CivilServant]:
    """``q``: part of the name (letters in any case); the others exactly. (A search by ID number is not a
    filter: it needs the full-ID permission and the blind index, ``services.find_person_by_id_number``.)"""
    q = q.strip()
    if q:
        people = people.filter(name__icontains=q)
    if employer is not None:
        people = people.filter(employer_id=employer)
    if status:
        people = people.filter(status=status)
    return people
