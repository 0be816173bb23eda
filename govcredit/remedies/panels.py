"""The remedies section of the home page (registered in ``apps.py``): the open objections and repairs the
user may see — a subject's own, a department's waiting for it — the earliest due first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govcredit.accounts import access
from govcredit.accounts.models import Role
from govcredit.core.home import HomeTile
from govcredit.workflow.sections import InboxSection

from .selectors import followed_records, visible_objections, visible_repairs

KEY = "remedies"


def open_cases(request: HttpRequest) -> dict[str, Any]:
    def waiting(rows: Any) -> list[Any]:
        return list(rows.filter(case__closed_at__isnull=True).order_by("case__due_on", "pk")[:10])

    return {"objections": waiting(visible_objections(request.user)), "repairs": waiting(visible_repairs(request.user))}


HOME_TILE = HomeTile(order=40, template="remedies/home.html", context=open_cases)


# --- the inbox: a subject's own records, with what it may do about them -----------------------------------

INBOX_KEY = "remedies.records"


def inbox_records(request: HttpRequest) -> dict[str, Any] | None:
    """For a subject (信用主体): its records, newest first, with their status and publicity end and the way to
    contest (异议) or repair (信用修复) each; None for other roles."""
    if not access.has(request.user, {Role.SUBJECT}):
        return None
    records = followed_records(request.user)
    if records is None:
        return None
    return {"inbox_records": list(records.select_related("record_type").order_by("-decision_date", "-pk")[:50])}


INBOX_SECTION = InboxSection(order=20, template="remedies/inbox_records.html", context=inbox_records)
