from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from govcredit.workdays import services as workdays


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # A schedule entered by one (rolled-back) test must not stay in the per-process calendar cache.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture(autouse=True)
def _default_language_afterwards() -> Iterator[None]:
    # A request under /en/ activates English in this thread (LocaleMiddleware does not reset it): later tests
    # in the same process must start with the default language again.
    yield
    translation.deactivate()


