"""The rate limit of the pages that need no login (filing from the portal, following a case): each try of a
credit code, an ID number or a query code counts, so neither can be guessed by trying many.

``GOVCREDIT_REMEDIES_RATE`` (setting or environment variable; ``N/s``, ``N/m``, ``N/h``; ``0`` = off),
default ``20/m`` per client address (``core.ratelimit``, shared by every web process).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from govcredit.core.ratelimit import client_address, hit, rate_setting

MSG_LIMITED = gettext_lazy("您的操作过于频繁，请稍后再试。")


def retry_after(request: HttpRequest) -> int | None:
    """Count this try; the seconds to wait if the client is over its limit, else None."""
    rate = rate_setting("GOVCREDIT_REMEDIES_RATE", "20/m")
    return None if rate is None else hit("remedies", client_address(request), rate)
