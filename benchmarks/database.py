"""A throwaway, migrated database for a benchmark run.

A temporary SQLite file by default; when ``DATABASE_URL`` names a PostgreSQL server, a fresh database
``govcredit_bench_<label>_<pid>`` on that server. Django is set up on it with ``govcredit.settings``
and everything lives under a temporary ``GOVCREDIT_VAR_DIR``; all of it is removed afterwards unless
``keep`` is set.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def _pg_admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True)


def _create_pg_database(url: str, label: str) -> tuple[str, str]:
    name = f"govcredit_bench_{label}_{os.getpid()}"
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}")), name


def _drop_pg_database(url: str, name: str) -> None:
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(label: str, *, keep: bool = False) -> Iterator[Path]:
    """Set up Django on a fresh migrated database; yield the temporary directory of the run."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "govcredit.settings"
    tmp = Path(tempfile.mkdtemp(prefix=f"govcredit-bench-{label}-"))
    os.environ["GOVCREDIT_VAR_DIR"] = str(tmp)
    url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    if url.startswith(("postgres://", "postgresql://")):
        bench_url, pg_name = _create_pg_database(url, label)
        os.environ["DATABASE_URL"] = bench_url
    else:
        if url:
            print(f"DATABASE_URL={url} 不是 PostgreSQL：改用临时 SQLite 文件", file=sys.stderr)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield tmp
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"保留数据库：{os.environ['DATABASE_URL']}", file=sys.stderr)
        else:
            if pg_name:
                _drop_pg_database(url, pg_name)
            shutil.rmtree(tmp, ignore_errors=True)
