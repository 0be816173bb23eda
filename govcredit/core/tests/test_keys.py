"""Keys: each its own, from the environment or the owner-only key file, never a published one."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from govcredit.core.keys import PUBLISHED_KEYS, load_keys

SOURCE = Path(settings.BASE_DIR)


def test_a_missing_key_file_is_created_owner_only_with_random_keys(tmp_path: Path) -> None:
    path = tmp_path / "var" / "keys.json"
    first = load_keys({}, path, production=False, strict=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keys({}, path, production=False, strict=True)
    assert again == first  # read back, not generated again
    other = load_keys({}, tmp_path / "other.json", production=False, strict=True)
    assert len({first.ledger_key, first.index_key, first.checkpoint_key, other.ledger_key}) == 4
    assert first.field_keys != other.field_keys and first.secret_key != other.secret_key


def test_the_environment_wins_over_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    load_keys({}, path, production=False, strict=False)
    keys = load_keys({"GOVCREDIT_LEDGER_KEY": "ab" * 32}, path, production=False, strict=False)
    assert keys.ledger_key == bytes.fromhex("ab" * 32)


def test_rotating_the_django_secret_changes_no_other_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    one = load_keys({"GOVCREDIT_SECRET_KEY": "a-first-django-secret-key-of-enough-length-0123456789"}, path,
                    production=False, strict=True)
    two = load_keys({"GOVCREDIT_SECRET_KEY": "a-second-django-secret-key-of-enough-length-987654321"}, path,
                    production=False, strict=True)
    assert one.secret_key != two.secret_key
    assert (one.ledger_key, one.index_key, one.field_keys, one.checkpoint_key) == \
        (two.ledger_key, two.index_key, two.field_keys, two.checkpoint_key)


def test_production_refuses_a_missing_key(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="GOVCREDIT_LEDGER_KEY"):
        load_keys({"GOVCREDIT_SECRET_KEY": "x" * 10 + "0123456789abcdefghijklmnopqrstuvwxyz0123"}, tmp_path / "k.json",
                  production=True, strict=True)
    assert not (tmp_path / "k.json").exists()


@pytest.mark.parametrize("published", sorted(PUBLISHED_KEYS))
def test_outside_debug_a_published_key_stops_the_start(tmp_path: Path, published: str) -> None:
    var = {64: "GOVCREDIT_LEDGER_KEY", 44: "GOVCREDIT_FIELD_KEYS"}.get(len(published), "GOVCREDIT_SECRET_KEY")
    with pytest.raises(ImproperlyConfigured, match="公开过的演示密钥"):
        load_keys({var: published}, tmp_path / "keys.json", production=False, strict=True)
    load_keys({var: published}, tmp_path / "keys.json", production=False, strict=False)  # debug: allowed


def test_outside_debug_a_key_file_others_can_read_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    load_keys({}, path, production=False, strict=True)
    path.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="chmod 600"):
        load_keys({}, path, production=False, strict=True)


def test_no_key_in_use_is_in_the_source_or_derived_from_it() -> None:
    """The ledger, index, field and Django keys appear nowhere in the code, and none is the old derivation."""
    used = [settings.LEDGER_KEY.hex(), settings.BLIND_INDEX_KEY.hex(), settings.LEDGER_CHECKPOINT_KEY.hex(),
            *settings.FIELD_ENCRYPTION_KEYS, settings.SECRET_KEY]
    assert not set(used) & PUBLISHED_KEYS
    for purpose in ("ledger", "blind-index", "field-encryption"):
        assert hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest() not in (
            settings.LEDGER_KEY, settings.BLIND_INDEX_KEY)
    source = "".join(p.read_text(encoding="utf-8") for p in SOURCE.rglob("*.py"))
    assert not [key for key in used if key in source]
