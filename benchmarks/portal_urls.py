"""The product's URLs plus the framework's floor, for the portal benchmark only (``benchmarks/portal_settings.py``).

``/bench/floor/<id>/`` reads one row and answers it as plain text through the same middleware, settings,
gunicorn and database connection as the portal's pages: what any Django page costs here at least, the
yardstick the pages' CPU per request is measured against.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

import govcredit.urls
from govcredit.disclosure.models import Publication


def floor(request: HttpRequest, pk: int) -> HttpResponse:
    name = Publication.objects.filter(pk=pk).values_list("public_name", flat=True).first()
    return HttpResponse(name or "", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/floor/<int:pk>/", floor), *govcredit.urls.urlpatterns]
