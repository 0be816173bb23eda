"""Key rotation covers every registered encrypted column; after it the old key can go (issue 8, item 15)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from govcredit.archive.models import CreditRecord
from govcredit.core import crypto
from govcredit.exchange import national
from govcredit.ledger.services import rotate_encrypted_fields
from govcredit.ledger.verification import verify
from govcredit.statistics.tests.factories import PERSON_ID, penalty
from govcredit.subjects.models import CivilServant
from govcredit.testing import COUNTERPARTY_ID, City


@pytest.fixture(autouse=True)
def _fresh_keys(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    crypto.reset_keys()
    yield
    crypto.reset_keys()


def test_both_apps_register_their_encrypted_columns() -> None:
    assert {(m, a) for m, a in crypto.encrypted_fields()} >= {(CivilServant, "id_cipher"),
                                                              (CreditRecord, "counterparty_id_cipher")}


@pytest.mark.django_db
def test_rotating_then_dropping_the_old_key_keeps_people_records_and_the_national_export(city: City) -> None:
    penalty(city, "scjg", "宁市监罚〔2026〕12号", "2026-02-03", kind="自然人")  # a record with a counterparty ID
    people = {p.pk: p.full_id_number() for p in CivilServant.objects.all()}
    ciphers = {pk: crypto.decrypt(c) for pk, c in
               CreditRecord.objects.exclude(counterparty_id_cipher="").values_list("pk", "counterparty_id_cipher")}
    assert COUNTERPARTY_ID in ciphers.values() and PERSON_ID in ciphers.values()
    old_key, new_key = crypto.active_keys()[0], Fernet.generate_key().decode()

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        out = StringIO()
        call_command("rotate_keys", stdout=out)
        # people's IDs, counterparties' IDs, legal representatives' IDs (none in this city); the columns other
        # apps register (roster findings, ...) are empty in this city
        results = [(r.rotated, r.current) for r in rotate_encrypted_fields()]
        assert results[:3] == [(0, len(people)), (0, len(ciphers)), (0, 0)]
        assert all(result == (0, 0) for result in results[3:])
    assert f"重新加密 {len(ciphers)} 个" in out.getvalue() and "可移除旧密钥" in out.getvalue()

    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        crypto.reset_keys()
        assert {p.pk: p.full_id_number() for p in CivilServant.objects.all()} == people
        export = national.run_export(operator="credit", user=city.users["credit"], full_id_numbers=True,
                                     everything=True)
        text = "".join(national.file_path(export, f).read_text(encoding="utf-8") for f in export.files.all())
        rows = list(csv.reader(StringIO(text)))
        assert any(COUNTERPARTY_ID in row for row in rows) and any(PERSON_ID in row for row in rows)
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        crypto.reset_keys()
        with pytest.raises(InvalidToken):
            crypto.decrypt(CreditRecord.objects.get(pk=next(iter(ciphers))).counterparty_id_cipher)
    assert verify().ok  # every re-encrypted row has its ledger entry


@pytest.mark.django_db
def test_a_token_no_key_opens_keeps_the_old_key(city: City) -> None:
    person = CivilServant.objects.order_by("pk").first()
    assert person is not None
    with connection.cursor() as cur:
        cur.execute("UPDATE subjects_civilservant SET id_cipher = %s WHERE id = %s",
                    [Fernet(Fernet.generate_key()).encrypt(b"x").decode(), person.pk])
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode(), crypto.active_keys()[0]]):
        with pytest.raises(CommandError, match="请勿移除旧密钥"):
            call_command("rotate_keys", stdout=(out := StringIO()))
    assert f"无法解密 1 个（#{person.pk}）" in out.getvalue()
