"""Query planning: the statement that lists a search's matching publications, newest first, and the one that
turns them into a page and its count."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from govcredit.archive.models import CreditRecord
from govcredit.core import clock
from govcredit.disclosure.models import (
    GramCount,
    Publication,
    PublicationGram,
    PublicationSearchKey,
    PublicAuthority,
)

from . import form
from .form import Criteria, SearchError
from .index import TOTAL, table_name
from .normalise import gram_codes, like_escape

# A candidate from the rarest list is first probed in the second-rarest list when that bigram occurs
# in at most this share of all public names: then most candidates lack it (楼区实: 区实, then 楼区) and
# the probe spares the LIKE's random key lookup. For 有限 or 公司 nearly every candidate has it.
PROBE_SHARE = 0.2
MAX_AUTHORITIES = 200


# Bigram frequencies only order the bigrams (rarest first) and short-cut a bigram nobody has; a
# positive count may be a few minutes old without changing any result, so each process keeps them.
_COUNT_TTL = 300.0
_COUNT_MAX = 200_000
_gram_counts: dict[int, tuple[float, int]] = {}


def _counts(codes: Sequence[int], using: str) -> dict[int, int]:
    now = time.monotonic()
    known = {g: hit[1] for g in codes if (hit := _gram_counts.get(g)) and now - hit[0] < _COUNT_TTL and hit[1] > 0}
    missing = [g for g in codes if g not in known]
    if missing:
        fresh = dict(GramCount.objects.using(using).filter(gram__in=missing).values_list("gram", "n"))
        if len(_gram_counts) > _COUNT_MAX:
            _gram_counts.clear()
        for g in missing:
            known[g] = fresh.get(g, 0)
            _gram_counts[g] = (now, known[g])
    return known


def plan(c: Criteria, today: dt.date, using: str) -> tuple[str, list[Any]] | None:
    """The statement listing the matching publication ids (at most MAX_RESULTS + 1, newest first), or None.

    With a name and no exact identifier, the rarest bigram's posting list drives: it is read
    backwards from the primary key and each candidate is checked by one correlated subquery
    (further bigrams, the exact substring, other filters). On PostgreSQL that subquery carries
    ``OFFSET 0`` so the planner cannot turn it into a join it would plan on misestimated
    selectivities (a hash join over a whole table); the scan then stops as soon as it has
    enough rows. A two-character name alone needs no check at all: its posting list is the answer.
    Postings exist only for public publications, so the list is not re-checked against
    ``is_public``/``visible_until`` (the page's rows are; see :func:`statement`).
    """
    pub, grams, keys = table_name(Publication), table_name(PublicationGram), table_name(PublicationSearchKey)
    fence = " OFFSET 0" if connections[using].vendor == "postgresql" else ""
    limit = form.MAX_RESULTS + 1
    pub_where: list[str] = []
    pub_params: list[Any] = []
    if c.authority:
        names = list(PublicAuthority.objects.using(using).filter(key__contains=c.authority)
                     .order_by("name").values_list("name", flat=True)[:MAX_AUTHORITIES + 1])
        if not names:
            return None
        if len(names) > MAX_AUTHORITIES:
            raise SearchError(_("“决定机关”过于宽泛，请输入更完整的机关名称。"))
        pub_where.append(f"p.authority_name IN ({', '.join(['%s'] * len(names))})")
        pub_params.extend(names)
    for clause, value in (("p.type_name = %s", c.type_name), ("p.decision_date >= %s", c.date_from),
                          ("p.decision_date <= %s", c.date_to), ("p.credit_code = %s", c.code)):
        if value:
            pub_where.append(clause)
            pub_params.append(value)
    key_where: list[str] = []
    key_params: list[Any] = []
    if c.number:
        key_where.append("k.number_key LIKE %s ESCAPE '\\'")
        key_params.append(f"{like_escape(c.number)}%")
    codes: list[int] = []
    counts: dict[int, int] = {}
    if c.name:
        codes = sorted(gram_codes(c.name))
        if len(codes) > 1:
            counts = _counts([*codes, TOTAL], using)
            codes.sort(key=lambda g: (counts.get(g, 0), g))
            if counts.get(codes[0], 0) <= 0:
                return None
        if len(c.name) > form.MIN_QUERY:
            key_where.append("k.name_key LIKE %s ESCAPE '\\'")
            key_params.append(f"%{like_escape(c.name)}%")

    params: list[Any]
    if codes and not (c.code or c.number):
        source, anchor, where, params = f"{grams} g", "g.publication_id", ["g.gram = %s"], [codes[0]]
        check = ""
        check_params: list[Any] = []
        probe = len(codes) > 1 and counts[codes[1]] <= PROBE_SHARE * max(counts.get(TOTAL, 0), 1)
        # Probe the second-rarest list first and check the rest only for candidates that have it: cheap
        # while that bigram is not a large share of all names (楼区实: walk 区实, probe 楼区), useless for
        # 有限 or 公司. The check is nested in the probe and refers to the probe's row, so that the planner
        # can neither reorder the two nor hoist the check out as a one-time filter.
        target = "g1.publication_id" if probe else anchor
        if pub_where and key_where:
            inner_from, inner_anchor = f"{keys} k JOIN {pub} p ON p.id = k.publication_id", "k.publication_id"
        elif pub_where:
            inner_from, inner_anchor = f"{pub} p", "p.id"
        elif key_where:
            inner_from, inner_anchor = f"{keys} k", "k.publication_id"
        else:
            inner_from = ""
        if inner_from:
            conds = [f"{inner_anchor} = {target}", *key_where, *pub_where]
            check, check_params = f"EXISTS (SELECT 1 FROM {inner_from} WHERE {' AND '.join(conds)}{fence})", [
                *key_params, *pub_params]
        if probe:
            nested = f" AND {check}" if check else ""
            check = (f"EXISTS (SELECT 1 FROM {grams} g1 WHERE g1.gram = %s AND g1.publication_id = {anchor}"
                     f"{nested}{fence})")
            check_params = [codes[1], *check_params]
        if check:
            where.append(check)
            params += check_params
        return (f"SELECT {anchor} AS id FROM {source} WHERE {' AND '.join(where)} "
                f"ORDER BY {anchor} DESC LIMIT {limit}", params)

    where = ["p.is_public = %s", "p.visible_until >= %s", *pub_where]
    params = [True, today, *pub_params]
    if codes:  # an identifier drives; the rarest bigram and the LIKE below narrow
        where.append(f"EXISTS (SELECT 1 FROM {grams} g WHERE g.gram = %s AND g.publication_id = p.id)")
        params.append(codes[0])
    joins = ""
    if key_where:
        joins = f" JOIN {keys} k ON k.publication_id = p.id"
        where += key_where
        params += key_params
    return (f"SELECT p.id AS id FROM {pub} p{joins} WHERE {' AND '.join(where)} ORDER BY p.id DESC LIMIT {limit}",
            params)



def statement(inner: str, page: int) -> str:
    """One statement for a page and its count: the matching ids (``inner``) are found once and counted,
    and the page's rows joined to the publication (still public?) and the record (live status). The
    LEFT JOINs keep the count row when the page is past the end. Params: the inner ones, then
    ``True, today``."""
    pub, rec = table_name(Publication), table_name(CreditRecord)
    offset = (page - 1) * form.PER_PAGE
    return (f"WITH m AS ({inner}) "
            f"SELECT c.n, q.id, q.public_name, q.credit_code, q.decision_number, q.authority_name, q.type_name, "
            f"q.decision_date, q.visible_until, r.status "
            f"FROM (SELECT COUNT(*) AS n FROM m) c "
            f"LEFT JOIN (SELECT id FROM m ORDER BY id DESC LIMIT {form.PER_PAGE} OFFSET {offset}) w ON 1 = 1 "
            f"LEFT JOIN {pub} q ON q.id = w.id AND q.is_public = %s AND q.visible_until >= %s "
            f"LEFT JOIN {rec} r ON r.id = q.record_id "
            f"ORDER BY w.id DESC")


def search_sql(c: Criteria, today: dt.date | None = None, using: str = "default") -> tuple[str, list[Any]] | None:
    """``(statement, params)`` of a search as the portal runs it, or None when it certainly finds nothing.

    The benchmark runs exactly this in psql next to the HTTP figures.
    """
    today = today or clock.today()
    planned = plan(c, today, using)
    if planned is None:
        return None
    inner, params = planned
    return statement(inner, c.page), [*params, True, today]

