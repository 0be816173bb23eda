"""The archive's parts of the home page and of the subject pages (registered in ``apps.py``): how many
records the user may see, how many of them are under objection, the newest ten, and a subject's
timeline."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core.home import Count, HomeTile
from govcredit.subjects.panels import SubjectPanel

from .display import Reader
from .models import RecordStatus
from .selectors import archive_of, visible_records

KEY = "archive"


def counts(request: HttpRequest) -> list[Count]:
    """The records the user may see and, as a to-do, those under objection, each linking to its list."""
    records = visible_records(request.user)
    listing = reverse("archive:record_list")
    return [Count(_("信用记录"), records.count(), url=listing),
            Count(_("异议中"), records.filter(status=RecordStatus.OBJECTION).count(),
                  url=f"{listing}?{urlencode({'status': RecordStatus.OBJECTION})}")]


def recent(request: HttpRequest) -> dict[str, Any]:
    records = visible_records(request.user)
    return {"recent": records.select_related("record_type", "subject_org", "subject_person")[:10]}


HOME_TILE = HomeTile(order=20, counts=counts, template="archive/home_recent.html", context=recent,
                     shown=lambda request: access.has(request.user, access.READ_SUBJECTS))


def timeline(request: HttpRequest, subject: dict[str, Any]) -> dict[str, Any]:
    """The subject's records, each with its summary (result, else facts) as the user may read it."""
    reader, entries = Reader(request.user), []
    for record in archive_of(request.user, **subject):
        text = reader.text(record)
        entries.append((record, text["result"] or text["facts"]))
    return {"records": entries}


SUBJECT_PANEL = SubjectPanel(order=10, template="archive/subject_panel.html", context=timeline)
