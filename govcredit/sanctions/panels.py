"""The sanctions section of a subject's page: its measures (with their records and end reasons) and its
fault-tolerance findings, as far as the user may see them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govcredit.subjects.panels import SubjectPanel

from .selectors import visible_applications, visible_measures

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
