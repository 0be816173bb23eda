"""Paging of the API's lists: ``?page=&page_size=``, bounded as on the web pages."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from govcredit.core.paging import MAX_PAGE, warn_if_unordered

MAX_PAGE_SIZE = 100
PER_PAGE = getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50)


class Pagination(PageNumberPagination):
    """``?page=&page_size=``; deep paging is bounded as on the web pages (core.paging.MAX_PAGE)."""

    class PageInput(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"页码，从 1 开始（最多 {MAX_PAGE} 页）")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE,
                                      description=f"每页条数（默认 {PER_PAGE}，"
                                                  f"最多 {MAX_PAGE_SIZE}）")

    Input = PageInput

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="符合条件的总条数")
        page: int = Field(description="当前页码")
        page_size: int = Field(description="每页条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PER_PAGE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        warn_if_unordered(queryset)
        result: dict[str, Any] = super().paginate_queryset(queryset, pagination, request, **params)
        result["page"] = pagination.page
        result["page_size"] = self._get_page_size(pagination.page_size)
        return result
