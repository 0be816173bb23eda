"""The archive's parts of the home page and of the subject pages (registered in ``apps.py``): how many
records the user may see, how many of them are under objection, the newest ten, and a subject's
timeline."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from govcredit.core.home import Count, HomeTile
from govcredit.subjects.panels import SubjectPanel

from .models import RecordStatus
from .selectors import archive_of, visible_records

KEY = "archive"


def counts(request: HttpRequest) -> list[Count]:
    records = visible_records(request.user)
    return [Count(_("信用记录"), records.count()),
            Count(_("异议中"), records.filter(status=RecordStatus.OBJECTION).count())]


def recent(request: HttpRequest) -> dict[str, Any]:
    records = visible_records(request.user)
    return {"recent": records.select_related("record_type", "subject_org", "subject_person")[:10]}


HOME_TILE = HomeTile(order=20, counts=counts, template="archive/home_recent.html", context=recent)


def timeline(request: HttpRequest, subject: dict[str, Any]) -> dict[str, Any]:
    return {"records": archive_of(request.user, **subject)}


SUBJECT_PANEL = SubjectPanel(order=10, template="archive/subject_panel.html", context=timeline)
