"""Per-client-address rate limits for the public portal, on Django's cache (fixed windows).

Settings (or environment variables of the same name), each ``N/s``, ``N/m``, ``N/h`` or ``N``
(per minute); ``0`` switches the limit off (the benchmark does, so that it measures the site and
not the limiter):

* ``GOVCREDIT_PORTAL_RATE`` — searches (pages and JSON), default ``60/m``;
* ``GOVCREDIT_PORTAL_DETAIL_RATE`` — detail pages and detail JSON, default ``300/m``;
* ``GOVCREDIT_PORTAL_PROXIES`` — how many reverse proxies in front of the site append to
  ``X-Forwarded-For`` (default 0: the client is ``REMOTE_ADDR``). Behind one nginx set it to 1, or
  every visitor would share the proxy's address and its limit.

The counters live in the default cache. LocMemCache (the default) counts per process, so with
several web processes a client gets up to that many times the limit; a shared cache (Redis,
Memcached or the database cache) in ``CACHES`` makes the limit exact.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from govcredit.core import clock

# Lazy: shown in the language of the page that is refused (str() it where plain text is needed).
MSG_LIMITED = gettext_lazy("您的查询过于频繁，请稍后再试。")

_RATE = re.compile(r"^\s*(\d+)\s*(?:/\s*([smh]))?\s*$")
_WINDOWS = {"s": 1, "m": 60, "h": 3600}
DEFAULTS = {"search": ("GOVCREDIT_PORTAL_RATE", "60/m"), "detail": ("GOVCREDIT_PORTAL_DETAIL_RATE", "300/m")}


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


def parse_rate(raw: str) -> Rate | None:
    """``"60/m"`` → Rate(60, 60); ``"0"`` → None (no limit). Malformed values raise ValueError."""
    match = _RATE.match(str(raw))
    if not match:
        raise ValueError(f"限流设置“{raw}”应为 N/s、N/m、N/h 或 N（每分钟）")
    limit = int(match.group(1))
    if limit == 0:
        return None
    return Rate(limit, _WINDOWS[match.group(2) or "m"])


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else os.environ.get(name, default)


def rate_for(bucket: str) -> Rate | None:
    name, default = DEFAULTS[bucket]
    return parse_rate(_setting(name, default))


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the one the configured number of proxies saw."""
    proxies = int(_setting("GOVCREDIT_PORTAL_PROXIES", "0"))
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def retry_after(request: HttpRequest, bucket: str) -> int | None:
    """Count this request; return the seconds to wait if the client is over its limit, else None."""
    rate = rate_for(bucket)
    if rate is None:
        return None
    now = clock.now().timestamp()
    window = int(now // rate.window)
    key = f"govcredit:portal-rate:{bucket}:{client_address(request)}:{window}"
    cache.add(key, 0, timeout=rate.window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.window + 1)
        count = 1
    if count <= rate.limit:
        return None
    return max(1, int((window + 1) * rate.window - now))
