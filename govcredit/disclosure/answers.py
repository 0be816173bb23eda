"""Portal answers cached under the ledger's head, so that a repeated search costs one index lookup.

Everything the portal shows changes only through services that append to the ledger — publishing
and withdrawing (``services.sync``), status changes such as 异议中, corrections, renames — and the
ledger's entries are never rewritten. The newest entry (its sequence number and hash) is therefore
a version stamp of all public data: an answer cached under it stays exact until the next entry
is appended, and the next search after that misses and reads the database again. The date is part
of the key too, because visibility ends with a day (``visible_until``).

Two levels: :func:`search` keeps a search's result (the JSON API and the page use it) and :func:`page`
keeps a whole rendered results page. Reading the head is one index-only lookup of the ledger's
primary key. The answers live in the
``portal`` cache (``settings.CACHES``: files under ``var/cache/portal`` by default, shared by every
web process on the machine; any backend is correct, because the version stamp is in the key). ``GOVCREDIT_PORTAL_CACHE_SECONDS`` bounds how long an answer
is kept (default 300; ``0`` switches caching off).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry

from .search import Criteria, ResultPage, run_search

CACHE_ALIAS = "portal"


def cache_seconds() -> int:
    value = getattr(settings, "GOVCREDIT_PORTAL_CACHE_SECONDS", None)
    return int(value if value is not None else os.environ.get("GOVCREDIT_PORTAL_CACHE_SECONDS", "300"))


def ledger_head(using: str = "default") -> str:
    """The newest ledger entry as ``seq:hash`` ("" for an empty ledger)."""
    with connections[using].cursor() as cur:
        cur.execute(f"SELECT seq, entry_hash FROM {LedgerEntry._meta.db_table} ORDER BY seq DESC LIMIT 1")
        row = cur.fetchone()
    return f"{row[0]}:{row[1]}" if row else ""


def _key(kind: str, *parts: object) -> str:
    return f"govcredit:portal:{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def page(request: HttpRequest, build: Callable[[], HttpResponse]) -> HttpResponse:
    """A public page as ``build`` renders it, kept whole under the request's path and query, the language,
    the day and the ledger's head. Only complete 200 pages are kept: errors are rendered every time.

    Portal pages hold nothing of the visitor (no login, no session, no CSRF token: the search form is
    a GET), so one rendering serves everyone who asks the same.
    """
    seconds = cache_seconds()
    if seconds <= 0:
        return build()
    key = _key("page", request.path, sorted(request.GET.lists()), get_language(), clock.today(), ledger_head())
    cache = caches[CACHE_ALIAS]
    kept: tuple[bytes, str] | None = cache.get(key)
    if kept is not None:
        return HttpResponse(kept[0], content_type=kept[1])
    response = build()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"]), seconds)
    return response


def search(c: Criteria, using: str = "default") -> ResultPage:
    """``search.run_search(c)``, answered from the cache when nothing has changed since it was last run."""
    seconds = cache_seconds()
    if seconds <= 0:
        return run_search(c, using=using)
    today = clock.today()
    # The language too: the result's notes are text in the language of the request that ran the search.
    key = _key("search", c.name, c.code, c.number, c.authority, c.type_name, c.date_from, c.date_to, c.page,
               tuple(c.notes), get_language(), today, ledger_head(using))
    cache = caches[CACHE_ALIAS]
    result: ResultPage | None = cache.get(key)
    if result is None:
        result = run_search(c, today, using)
        cache.set(key, result, seconds)
    return result
