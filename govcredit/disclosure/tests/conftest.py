from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _portal_test_settings(settings: Any) -> Iterator[None]:
    """No rate limits unless a test sets them; a clean cache."""
    settings.GOVCREDIT_PORTAL_RATE = "0"
    settings.GOVCREDIT_PORTAL_DETAIL_RATE = "0"
    cache.clear()
    yield
    cache.clear()
