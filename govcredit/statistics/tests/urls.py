"""URLs for the statistics tests: the project's URLs plus the statistics API router under /api/statistics/.

Once ``govcredit.api.api`` mounts the router itself this module still works (mounted with its own name prefix).
"""

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from govcredit import urls as project_urls
from govcredit.api.common import API_AUTH, install_error_handlers
from govcredit.statistics.api import router

test_api = NinjaAPI(title="statistics test API", urls_namespace="statistics_test_api", docs_url=None, auth=API_AUTH)
install_error_handlers(test_api)
test_api.add_router("/statistics", router, url_name_prefix="test_statistics")

urlpatterns: list[URLPattern | URLResolver] = [path("api/", test_api.urls), *project_urls.urlpatterns]
