"""A file-based cache that does not list its whole directory on every write.

Django's ``FileBasedCache`` lists every file of the cache on each ``set`` to decide whether to cull,
which costs milliseconds once it holds thousands of entries. The portal's answer cache
(``disclosure/answers.py``) writes on every search it has not seen: here only every
``CULL_EVERY``-th write of a process looks, so each process may add up to that many entries past
``MAX_ENTRIES`` before a cull (which, as Django's, removes ``1/CULL_FREQUENCY`` of them).
"""

from __future__ import annotations

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 64


class SharedFileCache(FileBasedCache):
    _writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % CULL_EVERY == 1:
            super()._cull()  # type: ignore[misc]  # private in the stubs
