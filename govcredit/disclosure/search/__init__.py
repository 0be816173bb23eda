"""Public search over what the portal discloses: criteria, the bigram index, and the bounded queries.

One module per job: :mod:`.normalise` (the search form of a text, bigrams), :mod:`.index` (writing and
removing postings as publications come and go), :mod:`.form` (the public's inputs, validated into
:class:`~.form.Criteria`, and the bounds of what may be asked), :mod:`.planning` (the statement that
answers a search) and :mod:`.running` (running it under a timeout, result pages). This package
re-exports what the portal, its API and its services use; the bounds of a search (``form.PER_PAGE``,
``form.MAX_PAGES`` …) are read from :mod:`.form` itself, so that changing them there changes them everywhere.

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

from .form import (
    FIELD_LABELS,
    MSG_PAGE_CAP,
    MSG_TOO_SHORT,
    Criteria,
    SearchError,
    parse_criteria,
    public_type_names,
)
from .index import TOTAL, index_publications, index_rows, rebuild_index, unindex_ids, unindex_publications
from .normalise import GRAM_BASE, fold, fold_code, gram_codes, gram_text, name_key
from .planning import search_sql
from .running import (
    MSG_TIMEOUT,
    Hit,
    ResultPage,
    SubjectHit,
    hits_for,
    latest,
    looks_like_full_name,
    query_timeout_ms,
    revoked_page,
    run_search,
    subject_hits,
)

__all__ = [
    "FIELD_LABELS", "GRAM_BASE", "MSG_PAGE_CAP", "MSG_TIMEOUT",
    "MSG_TOO_SHORT", "TOTAL", "Criteria", "Hit", "ResultPage", "SearchError", "fold", "fold_code",
    "gram_codes", "gram_text", "hits_for", "index_publications", "index_rows", "latest", "name_key", "parse_criteria",
    "public_type_names", "query_timeout_ms", "rebuild_index", "revoked_page", "run_search", "search_sql",
    "SubjectHit", "looks_like_full_name", "subject_hits",
    "unindex_ids", "unindex_publications",
]
