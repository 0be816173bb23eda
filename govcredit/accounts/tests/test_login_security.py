from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from govcredit.testing import PASSWORD, City


@pytest.mark.real_password_hashing
@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(city: City) -> None:
    user = city.users["credit"]
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert PASSWORD not in user.password


@pytest.mark.django_db
def test_login_locks_after_repeated_failures(city: City) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "credit", "password": "wrong"})
    assert response.status_code in (403, 429)
    assert "锁定" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "credit", "password": PASSWORD})
    assert response.status_code in (403, 429), "the right password must not get in while locked"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_good_login_and_session_expiry(city: City) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "district", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() <= 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert client.get("/").status_code == 200
