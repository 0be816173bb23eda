"""Paging for list pages, bounded so deep paging cannot be used to scan the tables."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

MAX_PAGE = 500


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> dict[str, Any]:
    """Context for templates/pagination.html: the page and the query string without ``page``."""
    params = request.GET.copy()
    params.pop("page", None)
    page: Page = Paginator(queryset, per_page).get_page(min(_int(request.GET.get("page")), MAX_PAGE))
    return {"page_obj": page, "querystring": params.urlencode()}


def _int(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1
