"""The ledger's keys are its own: what the published demo key (or no key) can make does not verify."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.conf import settings

from govcredit.archive.models import CreditRecord
from govcredit.core.keys import PUBLISHED_KEYS
from govcredit.ledger import services
from govcredit.ledger.hashing import ENTRY_COLUMNS, entry_payload, state_of
from govcredit.ledger.verification import verify
from govcredit.testing import City

from .conftest import head, sql

OLD_LEDGER_KEY = hashlib.sha256(b"ledger:govcredit-demo-secret-key-change-me-in-production-0123456789").digest()


def old_state_digest(obj: Any) -> str:
    """The unkeyed SHA-256 state digest the ledger used to make."""
    return hashlib.sha256(json.dumps(state_of(obj), sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


def test_the_old_default_ledger_key_is_a_published_one() -> None:
    assert OLD_LEDGER_KEY.hex() in PUBLISHED_KEYS and settings.LEDGER_KEY != OLD_LEDGER_KEY


@pytest.mark.django_db
def test_a_record_rewritten_and_rehashed_with_the_old_default_key_is_found(ledger_city: City) -> None:
    """The attack of issue 8: rewrite a record, re-digest it, re-hash its entry and every later one."""
    record = ledger_city.records["objected_discipline"]
    sql("UPDATE archive_creditrecord SET facts = %s WHERE id = %s", ["并无此事", record.pk])
    forged_state = old_state_digest(CreditRecord.objects.get(pk=record.pk))
    start = services.history(record).order_by("-seq").values_list("seq", flat=True)[0]
    rows = sql(f"SELECT {', '.join(ENTRY_COLUMNS)} FROM ledger_ledgerentry WHERE seq >= %s ORDER BY seq",
               [start])
    [(prev,)] = sql("SELECT entry_hash FROM ledger_ledgerentry WHERE seq = %s", [start - 1])
    for seq, ts, actor, action, etype, eid, reason, sdig, _, _, uid, changes in rows:
        sdig = forged_state if seq == start else sdig
        digest = hashlib.blake2b(entry_payload(seq, ts, actor, action, etype, eid, reason, sdig, prev, uid, changes),
                                 key=OLD_LEDGER_KEY, digest_size=32).hexdigest()
        sql("UPDATE ledger_ledgerentry SET state_digest = %s, prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [sdig, prev, digest, seq])
        prev = digest
    sql("UPDATE ledger_ledgerhead SET entry_hash = %s WHERE id = 1", [prev])
    assert head().entry_hash == prev
    report = verify()
    assert not report.ok
    assert ("entry_altered", start) in [(f.kind, f.seq) for f in report.findings]
    assert f"archive.creditrecord:{record.pk}" in [f.entity for f in report.findings]
