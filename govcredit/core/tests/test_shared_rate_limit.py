"""Rate limits count in a store every web process shares: two processes together get the limit once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches

from govcredit.testing import database_url

PROJECT = Path(__file__).resolve().parents[3]
COUNTER = """
import sys, django
django.setup()
from govcredit.core.ratelimit import Rate, hit
sys.stdin.readline()  # start together
print(sum(hit("shared-test", "203.0.113.9", Rate(60, 3600)) is not None for _ in range(40)))
"""


def test_two_cache_clients_share_one_count(db: None) -> None:
    """Two cache connections made from the settings, as two processes make them, see one counter."""
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first.add("govcredit:test:shared", 0, timeout=60)
    assert first.incr("govcredit:test:shared") == 1
    assert second.incr("govcredit:test:shared") == 2
    assert first.get("govcredit:test:shared") == 2


@pytest.mark.django_db(transaction=True)
def test_two_processes_counting_at_once_get_the_limit_once() -> None:
    """40 + 40 hits from two processes at the same moment against a limit of 60: exactly 20 refused."""
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "govcredit.settings"}
    procs = [subprocess.Popen([sys.executable, "-c", COUNTER], cwd=PROJECT, env=env, text=True,  # noqa: S603
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    assert sum(int(out) for out, _ in results) == 20


def test_migrate_makes_the_shared_cache_table(tmp_path: Path) -> None:
    """An installation that only runs ``migrate`` has the table the rate limits count in."""
    import sqlite3

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "GOVCREDIT_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "govcredit.settings"}
    done = subprocess.run([sys.executable, "-m", "govcredit.cli", "migrate", "-v0"], cwd=PROJECT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'govcredit_cache'").fetchone() == (1,)
