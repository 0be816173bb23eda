"""The sanctions section of a subject's page: its measures (with their records and end reasons) and its
fault-tolerance findings, as far as the user may see them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.core.home import Count, HomeTile
from govcredit.subjects.panels import SubjectPanel
from govcredit.workflow.sections import InboxSection

from .models import MeasureStatus, Polarity
from .selectors import visible_applications, visible_measures, visible_rectifications

KEY = "sanctions"


def subject_measures(request: HttpRequest, subject: dict[str, Any]) -> dict[str, Any]:
    measures = visible_measures(request.user).filter(**subject).order_by("-start_on", "-pk")[:50]
    if "subject_person" in subject:
        applications = visible_applications(request.user).filter(record__subject_person=subject["subject_person"])
    else:
        applications = visible_applications(request.user).filter(record__subject_org=subject["subject_org"],
                                                                 record__subject_person__isnull=True)
    return {"measures": measures, "applications": applications.select_related("finding")[:20]}


SUBJECT_PANEL = SubjectPanel(order=30, template="sanctions/subject_panel.html", context=subject_measures)


# --- the inbox: a subject's own measures, the soonest to end first ------------------------------------

INBOX_KEY = "sanctions.measures"


def inbox_measures(request: HttpRequest) -> dict[str, Any] | None:
    """For a subject (信用主体): its measures in force or suspended, with their end dates; None for other roles,
    whose inbox holds the cases waiting on them."""
    if not access.has(request.user, {Role.SUBJECT}):
        return None
    measures = visible_measures(request.user).filter(status__in=(MeasureStatus.IN_FORCE, MeasureStatus.SUSPENDED))
    return {"inbox_measures": measures.order_by("end_on", "pk")[:50]}


INBOX_SECTION = InboxSection(order=30, template="sanctions/inbox_measures.html", context=inbox_measures)


# --- the home page (工作台): what is running against the user's subjects, and what is late --------------

HOME_KEY = "sanctions"


def home_counts(request: HttpRequest) -> list[Count]:
    measures = visible_measures(request.user)
    late = visible_rectifications(request.user).filter(closed_at__isnull=True, overdue_at__isnull=False)
    return [Count(_("执行中的惩戒措施"), measures.filter(status=MeasureStatus.IN_FORCE, polarity=Polarity.PUNISHMENT).count(),
                  "home-measures"),
            Count(_("整改逾期"), late.count(), "home-rectifications-late")]


def home_section(request: HttpRequest) -> dict[str, Any]:
    """Measures in force with their end dates (soonest first) and open rectifications, late ones first."""
    measures = visible_measures(request.user).filter(status=MeasureStatus.IN_FORCE).order_by("end_on", "pk")[:10]
    cases = visible_rectifications(request.user).filter(closed_at__isnull=True)[:10]
    return {"home_measures": measures, "home_cases": cases}


HOME_TILE = HomeTile(order=40, counts=home_counts, template="sanctions/home.html", context=home_section)
