"""Public search over what the portal discloses: criteria, the bigram index, and the bounded queries.

Why a bigram posting table (and not pg_trgm or FTS5)
----------------------------------------------------
Chinese names are searched by substrings of two characters (玄武 → 南京市玄武区…, 张三 → 张三).
PostgreSQL's pg_trgm GIN index cannot serve patterns shorter than three characters (it falls back
to scanning every row) and SQLite's FTS5 trigram tokenizer returns nothing for them, so neither
answers the most common query at millions of rows, and using each for ≥ 3 characters would give
the two databases different code and different semantics. The portal therefore keeps its own
index that both databases run the same way: ``PublicationGram(gram, publication_id)`` with the
composite primary key ``(gram, publication_id)``, one row per distinct bigram of the normalised
public name (NFKC, case-folded, whitespace removed; the *masked* name, so no one can find a
person by a full name the portal never shows). A bigram is stored as one integer
(``ord(a) * 0x110000 + ord(b)``): fixed width, no collation, cheap comparisons. Rows are written
in the same transaction that publishes (:func:`index_publications`, called from
``services.publish_due``) and removed in the one that withdraws (:func:`unindex_publications`),
so the index only ever holds what is public; ``GramCount`` keeps how many publications contain
each bigram.

A query is answered newest-first (publication id descending), which is exactly the order of a
posting list in the primary key. A two-character query is one bigram: its posting list *is* the
answer, read backwards by an index-only scan and stopped after 1,001 entries (one page plus the
capped count). A longer query is driven by its rarest bigram (from ``GramCount``; a bigram no
public name has ends the search at once): its list is walked newest-first and each candidate is
confirmed by a correlated subquery, ``LIKE '%query%'`` on the normalised name, which is exact, so
a result never depends on bigram order. When the second-rarest bigram occurs in at most 20 % of
public names, the candidate is first probed in that list (an index-only primary-key lookup) and
the LIKE runs only for candidates that have it (楼区实: walk 区实, probe 楼区). This is the
intersection of posting lists done so that a LIMIT can stop it early: a ``GROUP BY publication_id
HAVING COUNT(*) = n`` over whole lists would read every posting of common bigrams (有限, 公司 —
millions at 5M rows) before returning the first row, and even for two short lists it measured
slower (the hash aggregate and the checks on every grouped row come before the LIMIT can act).
On PostgreSQL the subqueries carry ``OFFSET 0`` so that the planner cannot flatten them into a
hash join chosen on a misestimated LIKE selectivity (measured: a sequential scan of the whole key
table instead of 1,001 probes). Page and count are one statement, one round trip, with the
statement timeout sent in the same round trip.

One-character queries are refused with a hint: a single character matches a large share of all
names and nobody needs that list. Every query is bounded: at most 50 pages of 20 (the count stops
at 1,001), wildcards (``% _ *``) are literal, inputs over 50 characters are refused, and on
PostgreSQL a statement timeout ends anything slower than ``GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS``
(default 2,000 ms) with a message in the page's language (HTTP 503).

Other criteria use ordinary B-tree indexes: 统一社会信用代码 exact (upper-cased), 决定文书号 by
prefix of its normalised form, the authority by substring over the small table of authorities that
have published (then ``authority_name IN (…)``), type exact, decision date range.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcredit.archive.models import CreditRecord
from govcredit.core import clock
from govcredit.core.params import parse_date

from .models import GramCount, Publication, PublicationGram, PublicationSearchKey, PublicAuthority
from .rules import SHOWN_STATUSES

GRAM_BASE = 0x110000  # one past the largest code point: two code points pack into one integer
MIN_QUERY = 2
MAX_INPUT = 50
PER_PAGE = 20
MAX_PAGES = 50
MAX_RESULTS = PER_PAGE * MAX_PAGES
# A candidate from the rarest list is first probed in the second-rarest list when that bigram occurs
# in at most this share of all public names: then most candidates lack it (楼区实: 区实, then 楼区) and
# the probe spares the LIKE's random key lookup. For 有限 or 公司 nearly every candidate has it.
PROBE_SHARE = 0.2
TOTAL = 0  # GramCount row holding the number of indexed publications (no name has the bigram NUL NUL)
MAX_AUTHORITIES = 200
_BATCH = 500

_SPACE = re.compile(r"\s+")
_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# The portal's messages follow the active language (Chinese at /portal/, English at /en/portal/): the
# constants are lazy and become text where they are used; the other messages are translated where they
# are produced. Messages end up as plain ``str`` (SearchError.message, ResultPage.notes), in the language
# of the request that produced them.
FIELD_LABELS = {
    "q": gettext_lazy("名称或统一社会信用代码"), "code": gettext_lazy("统一社会信用代码"),
    "number": gettext_lazy("决定文书号"), "authority": gettext_lazy("决定机关"), "type": gettext_lazy("类别"),
    "from": gettext_lazy("决定日期起"), "to": gettext_lazy("决定日期止"), "page": gettext_lazy("页码"),
}
MSG_TIMEOUT = gettext_lazy("查询条件过于宽泛，未能及时完成，请输入更具体的名称或增加筛选条件后重试。")
_CAP_PAGES, _CAP_RESULTS = MAX_PAGES, MAX_RESULTS  # the limits the message states (fixed at import, as before)


def _too_short_message() -> str:
    # The example is a Chinese name in every language, so it stays out of the translated text.
    return _("请至少输入两个字进行检索（例如“%(example)s”）：单个字会匹配大量名称。") % {"example": "玄武"}


def _page_cap_message() -> str:
    return _("为保障平台运行，最多显示前 %(pages)s 页（%(max)s 条）结果，请缩小查询范围。") % {
        "pages": _CAP_PAGES, "max": _CAP_RESULTS}


# Lazy, but typed as str: each becomes text in the active language wherever it is shown or formatted.
MSG_TOO_SHORT: str = lazy(_too_short_message, str)()
MSG_PAGE_CAP: str = lazy(_page_cap_message, str)()


class SearchError(ValueError):
    """Criteria the portal refuses; ``message`` is shown to the public as it is (text in the active language)."""

    def __init__(self, message: str | Promise, status: int = 400) -> None:
        text = str(message)
        super().__init__(text)
        self.message = text
        self.status = status


# --- normalisation ----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """The search form of a text: NFKC (full-width → half-width), case-folded, without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def fold_code(text: str) -> str:
    """A 统一社会信用代码 as stored: NFKC, upper case, without whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).upper()


def name_key(public_name: str) -> str:
    """What the index holds for a public name: the folded text the portal shows (masked when published)."""
    return fold(public_name)


def gram_codes(key: str) -> set[int]:
    """The distinct bigrams of a folded text, packed as integers."""
    return {ord(key[i]) * GRAM_BASE + ord(key[i + 1]) for i in range(len(key) - 1)}


def gram_text(code: int) -> str:
    """The two characters of a packed bigram (for people reading the table)."""
    return chr(code // GRAM_BASE) + chr(code % GRAM_BASE)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- maintaining the index -----------------------------------------------------------------------------


def _table(model: Any) -> str:
    return str(model._meta.db_table)


def _insert(cur: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], suffix: str = "") -> None:
    """Multi-row INSERTs of ``_BATCH`` rows each (both databases; far fewer round trips than executemany)."""
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start:start + _BATCH]
        values = ", ".join([one] * len(chunk))
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} {suffix}",
                    [v for row in chunk for v in row])


def _bump_counts(cur: Any, counts: Counter[int], sign: int) -> None:
    # Sorted, so that two publishing transactions lock GramCount rows in the same order.
    rows = [(gram, sign * n) for gram, n in sorted(counts.items())]
    table = _table(GramCount)
    _insert(cur, table, ("gram", "n"), rows, f"ON CONFLICT (gram) DO UPDATE SET n = {table}.n + EXCLUDED.n")


def index_rows(rows: Iterable[tuple[int, str, str, str]], using: str = "default") -> int:
    """Index publications given as (id, public_name, decision_number, authority_name); returns how many.

    Publications that already have a search key are skipped, so indexing twice changes nothing.
    Callers run this inside the transaction that publishes the rows.
    """
    todo = list(rows)
    if not todo:
        return 0
    connection = connections[using]
    keys_table, grams_table = _table(PublicationSearchKey), _table(PublicationGram)
    with connection.cursor() as cur:
        done: set[int] = set()
        for start in range(0, len(todo), _BATCH):
            ids = [r[0] for r in todo[start:start + _BATCH]]
            cur.execute(f"SELECT publication_id FROM {keys_table} WHERE publication_id IN ({', '.join(['%s'] * len(ids))})",
                        ids)
            done.update(pid for (pid,) in cur.fetchall())
        keys: list[tuple[int, str, str]] = []
        grams: list[tuple[int, int]] = []
        counts: Counter[int] = Counter()
        authorities: dict[str, str] = {}
        for pid, public_name, number, authority in todo:
            if pid in done:
                continue
            key = name_key(public_name)
            keys.append((pid, key, fold(number)))
            codes = gram_codes(key)
            grams.extend((code, pid) for code in codes)
            counts.update(codes)
            authorities.setdefault(authority, fold(authority))
        if not keys:
            return 0
        _insert(cur, keys_table, ("publication_id", "name_key", "number_key"), keys)
        counts[TOTAL] += len(keys)
        grams.sort()
        _insert(cur, grams_table, ("gram", "publication_id"), grams)
        _bump_counts(cur, counts, +1)
        _insert(cur, _table(PublicAuthority), ("name", "key"), sorted(authorities.items()),
                "ON CONFLICT (name) DO NOTHING")
    return len(keys)


def index_publications(publications: Sequence[Publication]) -> int:
    """Add newly published publications to the search index (called by ``services.publish_due``)."""
    return index_rows((p.pk, p.public_name, p.decision_number, p.authority_name) for p in publications)


def unindex_ids(ids: Sequence[int], using: str = "default") -> int:
    """Take publications out of the search index; their postings are recomputed from the stored key."""
    if not ids:
        return 0
    connection = connections[using]
    keys_table, grams_table = _table(PublicationSearchKey), _table(PublicationGram)
    removed = 0
    with connection.cursor() as cur:
        for start in range(0, len(ids), _BATCH):
            chunk = list(ids[start:start + _BATCH])
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(f"SELECT publication_id, name_key FROM {keys_table} WHERE publication_id IN ({marks})", chunk)
            pairs: list[tuple[int, int]] = []
            counts: Counter[int] = Counter()
            for pid, key in cur.fetchall():
                codes = gram_codes(key)
                pairs.extend((code, pid) for code in codes)
                counts.update(codes)
            pairs.sort()
            for p0 in range(0, len(pairs), _BATCH):
                part = pairs[p0:p0 + _BATCH]
                cond = " OR ".join(["(gram = %s AND publication_id = %s)"] * len(part))
                cur.execute(f"DELETE FROM {grams_table} WHERE {cond}", [v for pair in part for v in pair])
            cur.execute(f"DELETE FROM {keys_table} WHERE publication_id IN ({marks})", chunk)
            deleted = cur.rowcount
            counts[TOTAL] += deleted
            _bump_counts(cur, counts, -1)
            removed += deleted
    return removed


def unindex_publications(publications: Sequence[Publication]) -> int:
    """Remove withdrawn publications from the search index (called by ``services.withdraw_due``)."""
    return unindex_ids([p.pk for p in publications])


def rebuild_index(chunk: int = 5000, using: str = "default") -> int:
    """Drop and rebuild the whole index from the public publications (``manage.py portal_reindex``)."""
    total = 0
    with transaction.atomic(using=using):
        for model in (PublicationGram, GramCount, PublicationSearchKey, PublicAuthority):
            model._default_manager.using(using).all().delete()  # plain models: not ledgered
        last = 0
        while True:
            rows = list(Publication.objects.using(using).filter(is_public=True, pk__gt=last).order_by("pk")
                        .values_list("pk", "public_name", "decision_number", "authority_name")[:chunk])
            if not rows:
                return total
            last = rows[-1][0]
            total += index_rows(rows, using=using)


# --- criteria ----------------------------------------------------------------------------------------


_TYPES_TTL = 60.0
_types_cache: tuple[float, list[str]] = (0.0, [])


def public_type_names() -> list[str]:
    """Names of the record types whose current catalog version is public (the type filter's choices).

    Kept for a minute per process: it is on every portal page and the catalog changes rarely.
    """
    global _types_cache
    from govcredit.catalog.models import Disclosure, RecordTypeVersion

    stamp, names = _types_cache
    if names and time.monotonic() - stamp < _TYPES_TTL:
        return names
    current: dict[str, tuple[str, str]] = {}
    for code, name, disclosure in (RecordTypeVersion.objects.order_by("record_type__code", "version")
                                   .values_list("record_type__code", "record_type__name", "disclosure")):
        current[code] = (name, disclosure)
    names = [name for name, disclosure in current.values() if disclosure == Disclosure.PUBLIC]
    _types_cache = (time.monotonic(), names)
    return names


@dataclass
class Criteria:
    """Validated search criteria; ``form`` holds the raw inputs to show them again."""

    name: str = ""
    code: str = ""
    number: str = ""
    authority: str = ""
    type_name: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    form: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.name or self.code or self.number or self.authority or self.type_name
                    or self.date_from or self.date_to)


def _text(data: Mapping[str, Any], key: str) -> str:
    raw = data.get(key) or ""
    value = str(raw).strip()
    if len(value) > MAX_INPUT:
        raise SearchError(_("“%(label)s”不能超过 %(max)s 个字符。") % {"label": FIELD_LABELS[key], "max": MAX_INPUT})
    if _CONTROL.search(value):
        raise SearchError(_("“%(label)s”包含不允许的控制字符。") % {"label": FIELD_LABELS[key]})
    return value


def _date(data: Mapping[str, Any], key: str) -> dt.date | None:
    value = _text(data, key)
    if not value:
        return None
    try:
        return parse_date(unicodedata.normalize("NFKC", value))
    except ValueError:
        raise SearchError(_("“%(label)s”应为日期，格式为 YYYY-MM-DD。") % {"label": FIELD_LABELS[key]}) from None


def _page(data: Mapping[str, Any], strict: bool, notes: list[str]) -> int:
    raw = _text(data, "page")
    try:
        page = int(raw) if raw else 1
    except ValueError:
        if strict:
            raise SearchError(_("“页码”应为正整数。")) from None
        page = 1
    if page < 1:
        if strict:
            raise SearchError(_("“页码”应为正整数。"))
        page = 1
    if page > MAX_PAGES:
        if strict:
            raise SearchError(_("“页码”不能大于 %(max)s：%(cap)s") % {"max": MAX_PAGES, "cap": MSG_PAGE_CAP})
        notes.append(str(MSG_PAGE_CAP))
        page = MAX_PAGES
    return page


def parse_criteria(data: Mapping[str, Any], *, strict_page: bool = False,
                   type_names: Iterable[str] | None = None) -> Criteria:
    """Validate the portal's search inputs (``q code number authority type from to page``).

    Raises :class:`SearchError` with a message in the active language for inputs that are too long, too short to
    search (one character), or malformed. A page beyond the last allowed one is refused when
    ``strict_page`` (the JSON API) and otherwise clamped with a note (the pages).
    """
    c = Criteria()
    c.form = {k: _text(data, k) for k in ("q", "code", "number", "authority", "type", "from", "to")}
    query = c.form["q"]
    if query and _CODE.fullmatch(fold_code(query)):
        c.code = fold_code(query)
    elif query:
        c.name = fold(query)
        if len(c.name) < MIN_QUERY:
            raise SearchError(MSG_TOO_SHORT)
    if c.form["code"]:
        code = fold_code(c.form["code"])
        if not _CODE.fullmatch(code):
            raise SearchError(_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。"))
        if c.code and c.code != code:
            raise SearchError(_("检索框与“统一社会信用代码”填写了不同的代码。"))
        c.code = code
    if c.form["number"]:
        c.number = fold(c.form["number"])
        if len(c.number) < MIN_QUERY:
            raise SearchError(_("“决定文书号”请至少输入两个字符。"))
    if c.form["authority"]:
        c.authority = fold(c.form["authority"])
        if len(c.authority) < MIN_QUERY:
            raise SearchError(_("“决定机关”请至少输入两个字。"))
    if c.form["type"]:
        allowed = list(type_names) if type_names is not None else public_type_names()
        if c.form["type"] not in allowed:
            # The type names are catalog data and stay as stored; only the sentence and its separator are translated.
            raise SearchError(_("“类别”应为以下之一：%(types)s。") % {"types": _("、").join(allowed)})
        c.type_name = c.form["type"]
    c.date_from, c.date_to = _date(data, "from"), _date(data, "to")
    if c.date_from and c.date_to and c.date_from > c.date_to:
        raise SearchError(_("“决定日期起”不能晚于“决定日期止”。"))
    c.page = _page(data, strict_page, c.notes)
    return c


# --- running a search -----------------------------------------------------------------------------------


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
        return PER_PAGE

    @property
    def max_results(self) -> int:
        return MAX_RESULTS

    @property
    def capped(self) -> bool:
        return self.total > MAX_RESULTS

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
    return max(1, -(-min(total, MAX_RESULTS) // PER_PAGE))


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


def _plan(c: Criteria, today: dt.date, using: str) -> tuple[str, list[Any]] | None:
    """The statement listing the matching publication ids (at most MAX_RESULTS + 1, newest first), or None.

    With a name and no exact identifier, the rarest bigram's posting list drives: it is read
    backwards from the primary key and each candidate is checked by one correlated subquery
    (further bigrams, the exact substring, other filters). On PostgreSQL that subquery carries
    ``OFFSET 0`` so the planner cannot turn it into a join it would plan on misestimated
    selectivities (a hash join over a whole table); the scan then stops as soon as it has
    enough rows. A two-character name alone needs no check at all: its posting list is the answer.
    Postings exist only for public publications, so the list is not re-checked against
    ``is_public``/``visible_until`` (the page's rows are; see :func:`_statement`).
    """
    pub, grams, keys = _table(Publication), _table(PublicationGram), _table(PublicationSearchKey)
    fence = " OFFSET 0" if connections[using].vendor == "postgresql" else ""
    limit = MAX_RESULTS + 1
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
        key_params.append(f"{_like_escape(c.number)}%")
    codes: list[int] = []
    counts: dict[int, int] = {}
    if c.name:
        codes = sorted(gram_codes(c.name))
        if len(codes) > 1:
            counts = _counts([*codes, TOTAL], using)
            codes.sort(key=lambda g: (counts.get(g, 0), g))
            if counts.get(codes[0], 0) <= 0:
                return None
        if len(c.name) > MIN_QUERY:
            key_where.append("k.name_key LIKE %s ESCAPE '\\'")
            key_params.append(f"%{_like_escape(c.name)}%")

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


def query_timeout_ms() -> int:
    """PostgreSQL statement timeout for public searches (0: none)."""
    raw = getattr(settings, "GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS", None)
    if raw is None:
        raw = os.environ.get("GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS", "2000")
    return int(raw)


def _statement(inner: str, page: int) -> str:
    """One statement for a page and its count: the matching ids (``inner``) are found once and counted,
    and the page's rows joined to the publication (still public?) and the record (live status). The
    LEFT JOINs keep the count row when the page is past the end. Params: the inner ones, then
    ``True, today``."""
    pub, rec = _table(Publication), _table(CreditRecord)
    offset = (page - 1) * PER_PAGE
    return (f"WITH m AS ({inner}) "
            f"SELECT c.n, q.id, q.public_name, q.credit_code, q.decision_number, q.authority_name, q.type_name, "
            f"q.decision_date, q.visible_until, r.status "
            f"FROM (SELECT COUNT(*) AS n FROM m) c "
            f"LEFT JOIN (SELECT id FROM m ORDER BY id DESC LIMIT {PER_PAGE} OFFSET {offset}) w ON 1 = 1 "
            f"LEFT JOIN {pub} q ON q.id = w.id AND q.is_public = %s AND q.visible_until >= %s "
            f"LEFT JOIN {rec} r ON r.id = q.record_id "
            f"ORDER BY w.id DESC")


def search_sql(c: Criteria, today: dt.date | None = None, using: str = "default") -> tuple[str, list[Any]] | None:
    """``(statement, params)`` of a search as the portal runs it, or None when it certainly finds nothing.

    The benchmark runs exactly this in psql next to the HTTP figures.
    """
    today = today or clock.today()
    plan = _plan(c, today, using)
    if plan is None:
        return None
    inner, params = plan
    return _statement(inner, c.page), [*params, True, today]


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
        plan = _plan(c, today, using)
        if plan is None:
            result.page = 1
            return result
        inner, params = plan
        params = [*params, True, today]
        rows = _fetch(using, _statement(inner, c.page), params)
        result.total = int(rows[0][0])
        last = _pages(result.total)
        if c.page > last:
            result.page = last
            rows = _fetch(using, _statement(inner, last), params)
        result.hits = [h for h in (_hit(r[1:]) for r in rows) if h is not None]
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            raise SearchError(MSG_TIMEOUT, status=503) from exc
        raise
    if result.capped:
        result.notes.append(_("符合条件的结果超过 %(max)s 条，%(cap)s") % {"max": MAX_RESULTS, "cap": MSG_PAGE_CAP})
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
    from .models import UnpublishReason

    today = today or clock.today()
    qs = (Publication.objects.using(using).filter(unpublish_reason=UnpublishReason.REVOKED, visible_until__gte=today)
          .order_by("-unpublished_at", "-pk")
          .only("id", "public_name", "decision_number", "authority_name", "type_name", "decision_date",
                "unpublished_at", "public_note"))
    total = qs[:MAX_RESULTS + 1].count()
    start = (page - 1) * PER_PAGE
    return list(qs[start:start + PER_PAGE]), total


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
    or a counterparty), newest decision first, at most ``MAX_RESULTS`` rows; none for a malformed code."""
    if not _CODE.fullmatch(code):
        return []
    today = today or clock.today()
    fields = ("id", "public_name", "credit_code", "decision_number", "authority_name", "type_name",
              "decision_date", "visible_until", "record__status", "record__type_version__polarity")
    rows = (Publication.objects.using(using).filter(credit_code=code, is_public=True, visible_until__gte=today)
            .order_by("-decision_date", "-pk").values_list(*fields)[:MAX_RESULTS])
    return [SubjectHit(h, r[9]) for r in rows if (h := _hit(r[:9])) is not None]
