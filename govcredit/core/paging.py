"""Paging for list pages, bounded so deep paging cannot be used to scan the tables."""

from __future__ import annotations

import warnings
from typing import Any

from django.core.paginator import Page, Paginator, UnorderedObjectListWarning
from django.db.models import QuerySet
from django.http import HttpRequest

MAX_PAGE = 500


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25, param: str = "page") -> dict[str, Any]:
    """Context for templates/pagination.html: the page and the query string without the page number.

    ``param`` names the page number in the query string, for a second paged list on one page.
    """
    params = request.GET.copy()
    params.pop(param, None)
    page: Page[Any] = Paginator(queryset, per_page).get_page(min(_int(request.GET.get(param)), MAX_PAGE))
    return {"page_obj": page, "querystring": params.urlencode(), "page_param": param}


def warn_if_unordered(queryset: Any) -> None:
    """Warn as Django's Paginator does when a list is paged over an unordered query (whose pages may
    repeat or skip rows); the API's pagination calls it too, and the tests turn the warning into an error."""
    if isinstance(queryset, QuerySet) and not queryset.ordered:
        warnings.warn(f"分页的查询没有确定的排序：{queryset.model.__name__}", UnorderedObjectListWarning, stacklevel=3)


def _int(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1
