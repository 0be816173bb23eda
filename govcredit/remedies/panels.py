"""The remedies section of the home page (registered in ``apps.py``): the open objections and repairs the
user may see — a subject's own, a department's waiting for it — the earliest due first."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govcredit.core.home import HomeTile

from .selectors import visible_objections, visible_repairs

KEY = "remedies"


def open_cases(request: HttpRequest) -> dict[str, Any]:
    def waiting(rows: Any) -> list[Any]:
        return list(rows.filter(case__closed_at__isnull=True).order_by("case__due_on", "pk")[:10])

    return {"objections": waiting(visible_objections(request.user)), "repairs": waiting(visible_repairs(request.user))}


HOME_TILE = HomeTile(order=40, template="remedies/home.html", context=open_cases)
