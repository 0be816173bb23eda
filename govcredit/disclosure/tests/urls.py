"""Test-only URLs: the portal pages plus the public router on its own NinjaAPI (until it is mounted at /api/portal/).

The test API requires authentication by default, like the real one, so the tests also prove that
the router's operations are public by themselves.
"""

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from govcredit.api.common import API_AUTH, install_error_handlers
from govcredit.disclosure.api import router

api = NinjaAPI(title="portal test", version="portal-test", urls_namespace="portal_test_api", auth=API_AUTH)
install_error_handlers(api)
api.add_router("/portal", router)

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
    path("portal/criticism/", include("govcredit.sanctions.portal_urls")),  # linked from the portal's navigation
    path("portal/statistics/", include("govcredit.statistics.urls")),  # linked from the public frame
    path("accounts/", include("govcredit.accounts.urls")),
    path("reports/", include("govcredit.reports.urls")),  # report verification, linked from the public frame
    path("portal/", include("govcredit.disclosure.urls")),
    path("exchange/", include("govcredit.exchange.urls")),  # the open-data files, crawled by the leak test
    path("remedies/", include("govcredit.remedies.urls")),  # the detail page links to a counterparty's objection
]
