"""The subjects' part of the home page (registered in ``apps.py``): how many organisations and civil
servants the user may see, and the search forms for both."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core.home import Count, HomeTile

from .selectors import visible_orgs, visible_people

TILE = "subjects"


def counts(request: HttpRequest) -> list[Count]:
    return [Count(_("可见单位"), visible_orgs(request.user).count(), "stat-orgs", reverse("subjects:org_list")),
            Count(_("可见公务员"), visible_people(request.user).count(), "stat-people", reverse("subjects:person_list"))]


HOME_TILE = HomeTile(order=10, counts=counts, template="subjects/home_search.html",
                     shown=lambda request: access.has(request.user, access.READ_SUBJECTS))
