"""The shared file cache culls, but looks at its directory only every CULL_EVERY-th write."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcredit.core import filecache
from govcredit.core.filecache import SharedFileCache


def test_culls_past_max_entries_without_listing_on_every_write(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = SharedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100, "CULL_FREQUENCY": 2}})
    listings: list[int] = []
    list_files = cache._list_cache_files  # type: ignore[attr-defined]  # FileBasedCache's private method, not in django-stubs

    def counting_list_files() -> list[str]:
        listings.append(1)
        result: list[str] = list_files()
        return result

    monkeypatch.setattr(cache, "_list_cache_files", counting_list_files)
    writes = filecache.CULL_EVERY * 3
    for i in range(writes):
        cache.set(f"k{i}", i)
    assert len(listings) == 3  # before writes 1, CULL_EVERY + 1 and 2 × CULL_EVERY + 1
    # the third look found 2 × CULL_EVERY ≥ 100 entries and removed half of them
    assert len(list(tmp_path.glob("*.djcache"))) == writes - filecache.CULL_EVERY
    assert cache.get(f"k{writes - 1}") == writes - 1
