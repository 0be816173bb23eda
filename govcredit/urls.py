from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

from govcredit.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/", api.urls),
]
urlpatterns += i18n_patterns(
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("govcredit.core.urls")),
    path("accounts/", include("govcredit.accounts.urls")),
    path("subjects/", include("govcredit.subjects.urls")),
    path("catalog/", include("govcredit.catalog.urls")),
    path("archive/", include("govcredit.archive.urls")),
    path("ledger/", include("govcredit.ledger.urls")),
    path("intake/", include("govcredit.intake.urls")),
    path("portal/statistics/", include("govcredit.statistics.urls")),
    path("portal/criticism/", include("govcredit.sanctions.portal_urls")),
    path("portal/indicators/", include("govcredit.indicators.portal_urls")),
    path("portal/", include("govcredit.disclosure.urls")),
    path("exchange/", include("govcredit.exchange.urls")),
    path("workflow/", include("govcredit.workflow.urls")),
    path("sanctions/", include("govcredit.sanctions.urls")),
    path("reports/", include("govcredit.reports.urls")),
    path("remedies/", include("govcredit.remedies.urls")),
    path("commitments/", include("govcredit.commitments.urls")),
    path("obligations/", include("govcredit.obligations.urls")),
    path("indicators/", include("govcredit.indicators.urls")),
    prefix_default_language=False,
)

handler400 = "govcredit.core.views.bad_request"
handler403 = "govcredit.core.views.permission_denied"
handler404 = "govcredit.core.views.page_not_found"
handler500 = "govcredit.core.views.server_error"
