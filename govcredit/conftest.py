import pytest

from govcredit.testing import City, build_city


@pytest.fixture
def city(db: None) -> City:
    return build_city()
