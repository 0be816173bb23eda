from __future__ import annotations

from collections.abc import Iterator

import pytest

from govcredit.workdays import services as workdays


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # A schedule entered by one (rolled-back) test must not stay in the per-process calendar cache.
    workdays.clear_cache()
    yield
    workdays.clear_cache()



