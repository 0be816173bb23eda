"""The archive's part of the home page (registered in ``apps.py``): how many records the user may see
and how many of them are under objection, and the newest ten."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from govcredit.core.home import Count, HomeTile

from .models import RecordStatus
from .selectors import visible_records

TILE = "archive"


def counts(request: HttpRequest) -> list[Count]:
    records = visible_records(request.user)
    return [Count(_("信用记录"), records.count()),
            Count(_("异议中"), records.filter(status=RecordStatus.OBJECTION).count())]


def recent(request: HttpRequest) -> dict[str, Any]:
    records = visible_records(request.user)
    return {"recent": records.select_related("record_type", "subject_org", "subject_person")[:10]}


HOME_TILE = HomeTile(order=20, counts=counts, template="archive/home_recent.html", context=recent)
