from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _portal_test_settings(settings: Any) -> None:
    """No rate limits unless a test sets them (their counts start empty: see govcredit/conftest.py)."""
    settings.GOVCREDIT_PORTAL_RATE = "0"
    settings.GOVCREDIT_PORTAL_DETAIL_RATE = "0"
