"""Running a search: the planned statement under a statement timeout, and the page of results."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcredit.core import clock
from govcredit.disclosure.models import Publication, UnpublishReason
from govcredit.disclosure.rules import SHOWN_STATUSES

from . import form
from .form import Criteria, SearchError
from .normalise import fold
from .planning import plan, statement

MSG_TIMEOUT = gettext_lazy("查询条件过于宽泛，未能及时完成，请输入更具体的名称或增加筛选条件后重试。")


@dataclass(frozen=True)
class Hit:
    """One row of a result list, with the record's live status."""

    id: int
    name: str
    credit_code: str
    decision_number: str
    authority: str
    type_name: str
    decision_date: dt.date
    visible_until: dt.date
    status: str

    @property
    def objection(self) -> bool:
        return self.status == "异议中"


@dataclass
class ResultPage:
    hits: list[Hit]
    total: int  # capped at MAX_RESULTS + 1
    page: int
    notes: list[str] = field(default_factory=list)

    @property
    def per_page(self) -> int:
        return form.PER_PAGE

    @property
    def max_results(self) -> int:
        return form.MAX_RESULTS

    @property
    def capped(self) -> bool:
        return self.total > form.MAX_RESULTS

    @property
    def pages(self) -> int:
        return _pages(self.total)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def page_numbers(self) -> list[int]:
        low = max(1, min(self.page - 4, self.pages - 8))
        return list(range(low, min(self.pages, low + 8) + 1))


def _pages(total: int) -> int:
    return max(1, -(-min(total, form.MAX_RESULTS) // form.PER_PAGE))

def query_timeout_ms() -> int:
    """PostgreSQL statement timeout for public searches (0: none)."""
    raw = getattr(settings, "GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS", None)
    if raw is None:
        raw = os.environ.get("GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS", "2000")
    return int(raw)



def _date_value(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite returns text


def _fetch(using: str, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one search statement; on PostgreSQL under a statement timeout sent in the same round trip."""
    connection = connections[using]
    timeout = query_timeout_ms()
    with connection.cursor() as cur:
        if connection.vendor != "postgresql" or timeout <= 0:
            cur.execute(sql, params)
            return list(cur.fetchall())
        if connection.in_atomic_block:  # the caller's transaction: set the timeout for this statement only
            cur.execute("SHOW statement_timeout")
            previous = cur.fetchone()[0]
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout)}")
            cur.execute(sql, params)  # a timeout aborts the caller's transaction: nothing to restore then
            rows = list(cur.fetchall())
            cur.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return rows
        import psycopg

        if isinstance(getattr(cur, "cursor", None), psycopg.ClientCursor):
            # Several statements in one simple query run as one implicit transaction: SET LOCAL holds for it.
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout)}; {sql}", params)
            cur.nextset()
            return list(cur.fetchall())
        with transaction.atomic(using=using):  # server-side binding: one statement per execute
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout)}")
            cur.execute(sql, params)
            return list(cur.fetchall())


def hits_for(ids: Sequence[int], using: str = "default") -> list[Hit]:
    """Result rows for publication ids, in the given order, without records that just left the shown statuses."""
    if not ids:
        return []
    fields = ("id", "public_name", "credit_code", "decision_number", "authority_name", "type_name",
              "decision_date", "visible_until", "record__status")
    rows = {r[0]: r for r in Publication.objects.using(using).filter(pk__in=ids).values_list(*fields)}
    return [h for h in (_hit(rows[pid]) for pid in ids if pid in rows) if h is not None]


def _hit(r: Sequence[Any]) -> Hit | None:
    """A Hit from (id, name, code, number, authority, type, decision date, visible until, status).

    The status is the record's, read live, so 异议中 shows at once; a record revoked since the last
    sync is left out here, minutes before the sync withdraws its publication.
    """
    if r[0] is None or r[8] not in SHOWN_STATUSES:
        return None
    return Hit(id=r[0], name=r[1], credit_code=r[2], decision_number=r[3], authority=r[4],
               type_name=r[5], decision_date=_date_value(r[6]), visible_until=_date_value(r[7]), status=r[8])


def run_search(c: Criteria, today: dt.date | None = None, using: str = "default") -> ResultPage:
    """Run a search: one page of hits and the number of matches (counted up to ``MAX_RESULTS + 1``).

    One statement (and one round trip) per search; a page past the last one costs a second to
    fetch the last page instead.
    """
    result = ResultPage(hits=[], total=0, page=c.page, notes=list(c.notes))
    today = today or clock.today()
    try:
        planned = plan(c, today, using)
        if planned is None:
            result.page = 1
            return result
        inner, params = planned
        params = [*params, True, today]
        rows = _fetch(using, statement(inner, c.page), params)
        result.total = int(rows[0][0])
        last = _pages(result.total)
        if c.page > last:
            result.page = last
            rows = _fetch(using, statement(inner, last), params)
        result.hits = [h for h in (_hit(r[1:]) for r in rows) if h is not None]
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise SearchError(MSG_TIMEOUT, status=503) from exc
        raise
    if result.capped:
        result.notes.append(_("符合条件的结果超过 %(max)s 条，%(cap)s") % {"max": form.MAX_RESULTS, "cap": form.MSG_PAGE_CAP})
    return result


def latest(limit: int = 10, today: dt.date | None = None, using: str = "default") -> list[Hit]:
    """The newest public publications (the landing page's list)."""
    today = today or clock.today()
    ids = list(Publication.objects.using(using).filter(is_public=True, visible_until__gte=today)
               .order_by("-pk").values_list("pk", flat=True)[:limit])
    return hits_for(ids, using)


def revoked_page(page: int, today: dt.date | None = None, using: str = "default") -> tuple[list[Publication], int]:
    """The 撤销公示 list: withdrawn revoked decisions with their public notes, newest first.

    A notice stays listed for what would have been the rest of the decision's publicity window.
    Returns (rows of the page, number of rows capped at ``MAX_RESULTS + 1``).
    """
    today = today or clock.today()
    qs = (Publication.objects.using(using).filter(unpublish_reason=UnpublishReason.REVOKED, visible_until__gte=today)
          .order_by("-unpublished_at", "-pk")
          .only("id", "public_name", "decision_number", "authority_name", "type_name", "decision_date",
                "unpublished_at", "public_note"))
    total = qs[:form.MAX_RESULTS + 1].count()
    start = (page - 1) * form.PER_PAGE
    return list(qs[start:start + form.PER_PAGE]), total


# --- a subject's page and the full-name hint ---------------------------------------------------------

_FULL_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def looks_like_full_name(query: str) -> bool:
    """Is ``query`` what a visitor types to find a person (2–4 Chinese characters, nothing masked)?

    The index holds natural persons' names only masked (张*三), so such a query cannot find a person;
    the results page then explains how to search (it may still be part of an organisation's name)."""
    return bool(_FULL_NAME.fullmatch(fold(query)))


@dataclass(frozen=True)
class SubjectHit:
    """A row of a subject's page: the result row and the polarity of its catalog type (失信/守信/中性)."""

    hit: Hit
    polarity: str


def subject_hits(code: str, today: dt.date | None = None, using: str = "default") -> list[SubjectHit]:
    """Everything public about the subject with the unified social credit code ``code`` (an organisation
    or a counterparty), newest decision first, at most ``form.MAX_RESULTS`` rows; none for a malformed code."""
    if not form._CODE.fullmatch(code):
        return []
    today = today or clock.today()
    fields = ("id", "public_name", "credit_code", "decision_number", "authority_name", "type_name",
              "decision_date", "visible_until", "record__status", "record__type_version__polarity")
    rows = (Publication.objects.using(using).filter(credit_code=code, is_public=True, visible_until__gte=today)
            .order_by("-decision_date", "-pk").values_list(*fields)[:form.MAX_RESULTS])
    return [SubjectHit(h, r[9]) for r in rows if (h := _hit(r[:9])) is not None]
