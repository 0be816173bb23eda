"""Fixed-window counters per client address in the shared cache, for every limit the site sets
(portal searches and detail views in ``disclosure/ratelimit.py``, login attempts in
``accounts/views.py``).

The counters live in the ``default`` cache, which every web process shares (the database cache, see
``core/sharedcache.py``; any shared backend with an atomic ``incr`` such as Redis works too): a limit
of 60 a minute is 60 a minute for the site, not per process.

``GOVCREDIT_PROXIES`` (setting or environment variable; default 0) is the number of reverse proxies in
front of the site that append to ``X-Forwarded-For``: the client is then the address the outermost of
them saw, else ``REMOTE_ADDR``. Behind one nginx set it to 1, or every visitor shares the proxy's address
and its limits. ``GOVCREDIT_PORTAL_PROXIES``, its earlier name, is still read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from govcredit.core import clock

_RATE = re.compile(r"^\s*(\d+)\s*(?:/\s*([smh]))?\s*$")
_WINDOWS = {"s": 1, "m": 60, "h": 3600}


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


def setting(name: str, default: str) -> str:
    """A limit's setting: Django settings first, then the environment, then the default."""
    value = getattr(settings, name, None)
    return str(value) if value is not None else os.environ.get(name, default)


def rate_setting(name: str, default: str) -> Rate | None:
    return parse_rate(setting(name, default))


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the one the configured number of proxies saw.

    django-axes takes the address from here too (``AXES_CLIENT_IP_CALLABLE``), so that the login
    lockout and every rate limit agree on who the client is.
    """
    proxies = int(setting("GOVCREDIT_PROXIES", "0"))
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return str(hops[-proxies])[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def hit(bucket: str, address: str, rate: Rate) -> int | None:
    """Count one event of ``bucket`` for ``address``; the seconds to wait if it is over ``rate``, else None."""
    cache = caches["default"]
    now = clock.now().timestamp()
    window = int(now // rate.window)
    key = f"govcredit:rate:{bucket}:{address}:{window}"
    cache.add(key, 0, timeout=rate.window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.window + 1)
        count = 1
    if count <= rate.limit:
        return None
    return max(1, int((window + 1) * rate.window - now))
