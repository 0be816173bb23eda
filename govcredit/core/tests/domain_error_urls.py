"""A page and an API operation that let a domain error through, for ``test_domain_errors``."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from govcredit import urls as project_urls
from govcredit.api.common import install_error_handlers
from govcredit.core.errors import Conflict, DomainError


def refused_page(request: HttpRequest) -> HttpResponse:
    raise DomainError("该批次已处理完毕，不能再修改")


def conflict_page(request: HttpRequest) -> HttpResponse:
    raise Conflict("已有相同的记录")


api = NinjaAPI(title="domain errors", urls_namespace="domain_error_api", docs_url=None)
install_error_handlers(api)


@api.get("/refused", auth=None)
def refused(request: HttpRequest) -> None:
    raise DomainError("起始日期不能晚于截止日期", field="start")


@api.get("/conflict", auth=None)
def conflict(request: HttpRequest) -> None:
    raise Conflict("已有相同的记录")


urlpatterns: list[URLPattern | URLResolver] = [
    path("refused/", refused_page), path("conflict/", conflict_page), path("api/", api.urls),
    *project_urls.urlpatterns,
]
