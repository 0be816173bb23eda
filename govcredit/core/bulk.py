"""Primary keys for rows written in bulk without the ORM (``COPY`` on PostgreSQL, ``executemany`` on SQLite),
shared by the intake's record writer and the indicators' value writer."""

from __future__ import annotations

from django.db import connection, models


def ids_outside_transaction() -> bool:
    """Whether :func:`allocate_ids` may be called outside the transaction that writes the rows
    (PostgreSQL's sequence hands out each value once; SQLite's are taken under the write lock)."""
    return connection.vendor == "postgresql"


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """Fresh primary keys for ``n`` rows of ``model``. On SQLite call inside the transaction that writes them:
    the ids follow the table's highest id and its ``sqlite_sequence``, which the write lock taken at
    ``BEGIN IMMEDIATE`` keeps still."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The sequence looked up once (pg_get_serial_sequence per row costs 8× the nextval), and one
            # row holding all n values rather than n rows.
            cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cur.fetchone()[0]
            cur.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, n])
            return list(cur.fetchone()[0])
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = int(cur.fetchone()[0])
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        base = max(top, int(row[0]) if row else 0)
    return list(range(base + 1, base + n + 1))
