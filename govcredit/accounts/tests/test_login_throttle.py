"""Failed logins cannot slow everyone: attempts are counted per address before any hash, a user name and
an address are locked separately, and a hash costs tens of milliseconds, not hundreds."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher
from django.test import Client

from govcredit.ledger.services import save_with_entry
from govcredit.testing import PASSWORD, City

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The user names that reached the password check (ModelBackend hashes for every one, even unknown)."""
    seen: list[str] = []
    original = ModelBackend.authenticate

    def spy(self: ModelBackend, request: Any, username: str | None = None, password: str | None = None,
            **kwargs: Any) -> Any:
        seen.append(str(username))
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)
    return seen


def test_spraying_one_password_at_six_users_from_one_address_is_locked(city: City, hashes: list[str],
                                                                       settings: Any) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    users = ["credit", "submitter", "personnel", "district", "subject", "public"]
    answers = [client.post(LOGIN, {"username": u, "password": "Spring2026!"}).status_code for u in users]
    limit = settings.AXES_FAILURE_LIMIT  # 5
    assert answers[:limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert set(answers[limit - 1:]) <= {403, 429}, "the address is locked although no user name failed twice"
    assert len(hashes) == limit, "an attempt from the locked address is refused before the password is hashed"
    right = client.post(LOGIN, {"username": "thirdparty", "password": PASSWORD})
    assert right.status_code in (403, 429) and "_auth_user_id" not in client.session
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    assert elsewhere.post(LOGIN, {"username": "thirdparty", "password": PASSWORD}).status_code == 302


def test_attempts_per_address_are_throttled_before_any_hash(city: City, hashes: list[str], settings: Any) -> None:
    settings.GOVCREDIT_LOGIN_RATE = "3/m"
    settings.AXES_FAILURE_LIMIT = 100  # the throttle alone, not the lockout
    client = Client(REMOTE_ADDR="198.51.100.9")
    answers = [client.post(LOGIN, {"username": f"nobody{i}", "password": "x"}) for i in range(6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert hashes == ["nobody0", "nobody1", "nobody2"]
    assert "登录尝试过于频繁" in answers[3].content.decode() and 1 <= int(answers[3]["Retry-After"]) <= 60
    assert client.get(LOGIN).status_code == 200, "showing the form is not an attempt"
    other = Client(REMOTE_ADDR="198.51.100.10")
    assert other.post(LOGIN, {"username": "credit", "password": PASSWORD}).status_code == 302
    settings.GOVCREDIT_LOGIN_RATE = "0"  # 0 switches it off
    assert client.post(LOGIN, {"username": "credit", "password": PASSWORD}).status_code == 302


def test_throttle_counts_the_address_behind_the_configured_proxy(city: City, settings: Any) -> None:
    settings.GOVCREDIT_LOGIN_RATE = "1/m"
    settings.GOVCREDIT_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.254")
    first = proxy.post(LOGIN, {"username": "credit", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.1")
    again = proxy.post(LOGIN, {"username": "credit", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.1")
    other = proxy.post(LOGIN, {"username": "submitter", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert (first.status_code, again.status_code, other.status_code) == (200, 429, 200)


@pytest.mark.real_password_hashing
def test_argon2_costs_19_mib_and_old_hashes_are_upgraded_on_login(city: City) -> None:
    user = city.users["credit"]
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(user.password).algorithm == "argon2" and get_hasher().memory_cost <= 64 * 1024
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())  # Django's 100 MiB
    save_with_entry(user, actor="test", action="account.rehash", reason="旧参数的散列")
    assert ",p=8$" in user.password
    assert Client().post(LOGIN, {"username": "credit", "password": PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_one_hash_at_a_time_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads of one web process hash one after the other, leaving the CPU to the pages in between."""
    import threading
    import time

    from govcredit.accounts.hashers import GovCreditArgon2Hasher

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_encode(self: Any, password: str, salt: str) -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return "argon2$x"

    monkeypatch.setattr(Argon2PasswordHasher, "encode", slow_encode)
    hasher = GovCreditArgon2Hasher()
    threads = [threading.Thread(target=hasher.encode, args=("pw", "salt")) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
