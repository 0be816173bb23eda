"""Writing the search index: postings and counts added in the transaction that publishes, removed in
the one that withdraws, and the whole index rebuilt on demand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, transaction

from govcredit.disclosure.models import (
    GramCount,
    Publication,
    PublicationGram,
    PublicationSearchKey,
    PublicAuthority,
)

from .normalise import fold, gram_codes, name_key

TOTAL = 0  # GramCount row holding the number of indexed publications (no name has the bigram NUL NUL)
_BATCH = 500


def table_name(model: Any) -> str:
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
    table = table_name(GramCount)
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
    keys_table, grams_table = table_name(PublicationSearchKey), table_name(PublicationGram)
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
        _insert(cur, table_name(PublicAuthority), ("name", "key"), sorted(authorities.items()),
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
    keys_table, grams_table = table_name(PublicationSearchKey), table_name(PublicationGram)
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

