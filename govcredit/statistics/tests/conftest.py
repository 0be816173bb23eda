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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """The city has 7 users; Argon2 costs ~0.15 s a hash, and these tests are not about passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
