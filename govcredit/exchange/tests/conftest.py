from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from govcredit.workdays import services as workdays


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # A schedule entered by one (rolled-back) test must not stay in the per-process calendar cache.
    workdays.clear_cache()
    yield
    workdays.clear_cache()



@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path: Path) -> None:
    """Export files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
