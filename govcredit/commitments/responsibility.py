"""Responsibility trace-back: who held a post of an organisation on a given day, from the post history.

Duties and promises name the responsible *post* (``responsible_org`` + ``responsible_post``); the person is
read from ``subjects.PostAssignment`` for the day in question (the due date of a breached duty, the day a
promise was made), so the answer stays right after that person has moved to another post or left.
A post holder on day D is an assignment that started on or before D and had not ended by D (``change_post``
ends the old assignment on the day the new one starts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from govcredit.subjects.models import CivilServant, Organization, PostAssignment


@dataclass(frozen=True)
class Holder:
    person: CivilServant
    org: Organization
    post: str
    start: dt.date
    end: dt.date | None

    def moved_on(self, day: dt.date) -> bool:
        """Had this person left the post by ``day``?"""
        return self.end is not None and self.end <= day


def _held_on(day: dt.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def holders_on(org: Organization, post: str, day: dt.date) -> list[Holder]:
    """Everyone who held ``post`` at ``org`` on ``day`` (usually one; none when the post was vacant)."""
    rows = (PostAssignment.objects.filter(_held_on(day), employer=org, post=post.strip())
            .select_related("person", "employer").order_by("start_date", "pk"))
    return [Holder(a.person, a.employer, a.post, a.start_date, a.end_date) for a in rows]


def holders_for(keys: Iterable[tuple[int, str, dt.date]]) -> dict[tuple[int, str, dt.date], list[Holder]]:
    """:func:`holders_on` for many (organisation id, post, day) at once, in one query (list pages)."""
    wanted = set(keys)
    out: dict[tuple[int, str, dt.date], list[Holder]] = {k: [] for k in wanted}
    if not wanted:
        return out
    pairs = Q(pk__in=[])
    for org_id, post in {(k[0], k[1]) for k in wanted}:
        pairs |= Q(employer_id=org_id, post=post)
    rows = PostAssignment.objects.filter(pairs).select_related("person", "employer").order_by("start_date", "pk")
    for a in rows:
        for key in wanted:
            org_id, post, day = key
            if (a.employer_id == org_id and a.post == post and a.start_date <= day
                    and (a.end_date is None or a.end_date > day)):
                out[key].append(Holder(a.person, a.employer, a.post, a.start_date, a.end_date))
    return out


def names(holders: list[Holder]) -> str:
    return "、".join(h.person.name for h in holders) or "—"
