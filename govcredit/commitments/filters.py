"""One filter per list, used by the page (its form's cleaned data) and the API (its query schema)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import PPPProject, Promise
from .selectors import across_turnover, with_holders


def filter_projects(rows: QuerySet[PPPProject], *, q: str = "", stage: str = "") -> QuerySet[PPPProject]:
    if q.strip():
        rows = rows.filter(Q(name__icontains=q.strip()) | Q(number__icontains=q.strip()))
    if stage:
        rows = rows.filter(stage=stage)
    return rows


def filter_promises(rows: QuerySet[Promise], today: dt.date, *, q: str = "", status: str = "",
                    turnover: bool = False) -> QuerySet[Promise]:
    text = q.strip()
    if text:
        rows = rows.filter(Q(number__icontains=text) | Q(investor_name__icontains=text) | Q(document__icontains=text))
    if status:
        rows = rows.filter(status=status)
    return across_turnover(rows, today) if turnover else with_holders(rows, today)
