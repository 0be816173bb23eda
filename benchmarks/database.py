"""Throwaway databases for benchmark runs: the one place the benchmarks create and drop them.

:func:`throwaway_database` gives a temporary SQLite file by default; when ``DATABASE_URL`` names a
PostgreSQL server, a fresh database ``govcredit_bench_<label>_<pid>`` on that server. Django is set up
on it with ``govcredit.settings`` and everything lives under a temporary ``GOVCREDIT_VAR_DIR``; all of
it is removed afterwards unless ``keep`` is set. :func:`fresh_pg_database` and :func:`drop_pg_database`
are the same steps for a benchmark that names its PostgreSQL database itself (the portal's, reused
between runs).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def libpq(url: str) -> str:
    """The URL as libpq (psql, psycopg) spells it."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _pg_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(libpq(with_database(url, "postgres")), autocommit=True)


def fresh_pg_database(url: str, *, force: bool = False, template: str = "template0") -> str:
    """Drop and create the database ``url`` names (it must contain "bench" unless ``force``), as a copy of
    ``template``; return its name."""
    name = database_name(url)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"数据库名“{name}”不合法")
    if "bench" not in name and not force:
        raise SystemExit(f"为防误删，基准库名必须含 bench（实为“{name}”），或加 --force")
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not re.fullmatch(r"[A-Za-z0-9_]+", template):
            raise SystemExit(f"模板库名“{template}”不合法")
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE \"{template}\"")
    return name


def drop_pg_database(url: str) -> None:
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def save_pg_template(name: str) -> None:
    """Copy the benchmark's PostgreSQL database (as it is now) to ``name``, for later runs to start from
    (``throwaway_database(template=name)``) instead of loading their data again; replaces an older copy."""
    from django.db import connections

    connections.close_all()
    url = os.environ["DATABASE_URL"]
    fresh_pg_database(with_database(url, name), template=database_name(url))
    print(f"数据已另存为模板库 {name}", file=sys.stderr)


@contextmanager
def throwaway_database(label: str, *, keep: bool = False, template: str | None = None) -> Iterator[Path]:
    """Set up Django on a fresh migrated database (PostgreSQL: a copy of ``template`` when given, saved by
    :func:`save_pg_template`); yield the temporary directory of the run."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "govcredit.settings"
    tmp = Path(tempfile.mkdtemp(prefix=f"govcredit-bench-{label}-"))
    os.environ["GOVCREDIT_VAR_DIR"] = str(tmp)
    url = os.environ.get("DATABASE_URL", "")
    bench_url = None
    if is_postgres(url):
        bench_url = with_database(url, f"govcredit_bench_{label}_{os.getpid()}")
        fresh_pg_database(bench_url, template=template or "template0")
        os.environ["DATABASE_URL"] = bench_url
    elif template:
        raise SystemExit("模板库只用于 PostgreSQL（DATABASE_URL）")
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
            if bench_url:
                drop_pg_database(bench_url)
            shutil.rmtree(tmp, ignore_errors=True)
