"""URLs for the exchange tests: the project's URLs plus the exchange API router under /api/exchange/."""

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from govcredit import urls as project_urls
from govcredit.api.common import API_AUTH, install_error_handlers
from govcredit.exchange.api import router

test_api = NinjaAPI(title="exchange test API", urls_namespace="exchange_test_api", docs_url=None, auth=API_AUTH)
install_error_handlers(test_api)
test_api.add_router("/exchange", router, url_name_prefix="test_exchange")

urlpatterns: list[URLPattern | URLResolver] = [path("api/", test_api.urls), *project_urls.urlpatterns]
