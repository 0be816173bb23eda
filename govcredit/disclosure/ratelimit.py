"""Per-client-address rate limits for the public portal (fixed windows, counted by ``core.ratelimit``
in the cache every web process shares).

Settings (or environment variables of the same name), each ``N/s``, ``N/m``, ``N/h`` or ``N``
(per minute); ``0`` switches the limit off (the benchmark does, so that it measures the site and
not the limiter):

* ``GOVCREDIT_PORTAL_RATE`` — searches (pages and JSON), default ``60/m``;
* ``GOVCREDIT_PORTAL_DETAIL_RATE`` — detail pages and detail JSON, default ``300/m``;
* ``GOVCREDIT_PROXIES`` — how many reverse proxies in front of the site append to ``X-Forwarded-For``
  (see ``core/ratelimit.py``).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from govcredit.core.ratelimit import Rate, client_address, hit, rate_setting

# Lazy: shown in the language of the page that is refused (str() it where plain text is needed).
MSG_LIMITED = gettext_lazy("您的查询过于频繁，请稍后再试。")

DEFAULTS = {"search": ("GOVCREDIT_PORTAL_RATE", "60/m"), "detail": ("GOVCREDIT_PORTAL_DETAIL_RATE", "300/m")}


def rate_for(bucket: str) -> Rate | None:
    return rate_setting(*DEFAULTS[bucket])


def retry_after(request: HttpRequest, bucket: str) -> int | None:
    """Count this request; return the seconds to wait if the client is over its limit, else None."""
    rate = rate_for(bucket)
    return None if rate is None else hit(f"portal-{bucket}", client_address(request), rate)
