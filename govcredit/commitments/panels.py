"""The commitments section of the subject pages (registered in ``apps.py``): on a civil servant's page,
the PPP duties and investment promises that fell due while he held their responsible post (his
performance, whoever holds the post now); on an organisation's page, its projects and promises. Only what
the reader may see (the selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from govcredit.accounts import access
from govcredit.core import clock
from govcredit.core.home import Count, HomeTile
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.panels import SubjectPanel

from .models import OPEN_PROMISE
from .selectors import across_turnover, visible_duties, visible_projects, visible_promises

LIMIT = 50


def _tenure(employer_field: str, post_field: str, due_field: str, person: CivilServant) -> Q:
    """Rows whose responsible post is one the person held on their due date."""
    q = Q(pk__in=[])
    for a in person.posts.all():
        held = Q(**{employer_field: a.employer_id, post_field: a.post, f"{due_field}__gte": a.start_date})
        if a.end_date is not None:
            held &= Q(**{f"{due_field}__lte": a.end_date})
        q |= held
    return q


def context(request: HttpRequest, subject: dict[str, Any]) -> dict[str, Any]:
    person: CivilServant | None = subject.get("subject_person")
    org: Organization | None = subject.get("subject_org")
    out: dict[str, Any] = {"today": clock.today(), "duties": [], "promises": [], "projects": []}
    if person is not None:
        out["duties"] = list(visible_duties(request.user).filter(
            _tenure("stage__responsible_org", "stage__responsible_post", "due_on", person)).order_by("-due_on")[:LIMIT])
        out["promises"] = list(visible_promises(request.user).filter(
            _tenure("org", "responsible_post", "due_on", person)).order_by("-due_on")[:LIMIT])
    elif org is not None:
        out["projects"] = list(visible_projects(request.user).filter(org=org).order_by("number")[:LIMIT])
        out["promises"] = list(visible_promises(request.user).filter(org=org).order_by("-due_on")[:LIMIT])
    return out


PANEL = SubjectPanel(order=60, template="commitments/panel.html", context=context)


def home_counts(request: HttpRequest) -> list[Count]:
    """Open promises, the overdue ones, and those made under the previous holder of their post."""
    today = clock.today()
    promises = visible_promises(request.user)
    owed = promises.filter(status__in=list(OPEN_PROMISE))
    url = reverse("commitments:promise_list")
    return [
        Count(gettext("履行中的招商引资承诺"), owed.count(), "home-promises-open", url),
        Count(gettext("逾期未兑现的承诺"), owed.filter(due_on__lt=today).count(), "home-promises-overdue", url),
        Count(gettext("换届前作出、仍须履行的承诺"), across_turnover(promises, today).count(), "home-promises-turnover",
              f"{url}?turnover=on"),
    ]


HOME_TILE = HomeTile(order=45, counts=home_counts,
                     shown=lambda request: access.has(request.user, access.READ_COMMITMENTS))
