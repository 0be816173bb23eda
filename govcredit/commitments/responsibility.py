"""Responsibility trace-back as pages show it: who held a post of an organisation on a given day.

Duties and promises name the responsible *post* (an organisation and a post title, e.g. 玄武区人民政府 /
区长), not a person. Who held it on a day is the obligations register's rule
(``obligations.services.responsible_on``, from ``subjects.PostAssignment``); this module adds the period
that person held the post, so a page can say that he has since moved on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govcredit.obligations.services import responsible_on
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


def holders_on(org: Organization, post: str, day: dt.date) -> list[Holder]:
    """The holder of ``post`` at ``org`` on ``day`` with the period he held it (empty when it was vacant)."""
    person = responsible_on(org, post.strip(), day)
    if person is None:
        return []
    held = (PostAssignment.objects.filter(person=person, employer=org, post=post.strip(), start_date__lte=day)
            .order_by("-start_date", "-pk").first())
    if held is None:
        return []
    return [Holder(person, org, held.post, held.start_date, held.end_date)]
