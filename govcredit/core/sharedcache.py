"""Django's database cache with an ``incr`` that is atomic across processes.

The rate limits (``core/ratelimit.py``) count in the ``default`` cache, which must be shared by every
web process on every machine: the database is, with nothing more to run (``migrate`` makes its table,
see ``core/apps.py``). Django's own ``incr`` reads the value and writes
it back in two statements, so two processes counting at once could lose one of the counts, and it
resets the entry's expiry. Here the row is locked for the read (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite takes its write lock at ``BEGIN``, see settings) and only the value is updated.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

from govcredit.core import clock


class SharedDatabaseCache(DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        q = connection.ops.quote_name
        table = q(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache, absent from the stubs
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(clock.now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(f"SELECT {q('value')} FROM {table} WHERE {q('cache_key')} = %s AND {q('expires')} >= %s"
                           f"{lock}", [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301 - written by this cache
            pickled = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {q('value')} = %s WHERE {q('cache_key')} = %s", [pickled, key])
        return value
