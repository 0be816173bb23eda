from typing import Any

import pytest

from govcredit.testing import City, build_city


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is deliberately slow; tests use MD5 unless marked ``real_password_hashing``."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(db: None) -> City:
    return build_city()
