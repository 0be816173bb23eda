"""Tampering behind the application's back, with raw SQL, is found and named exactly."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import transaction

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.ledger import services, verification
from govcredit.ledger.hashing import ENTRY_COLUMNS, digest_instance, entry_payload
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import Change, append
from govcredit.ledger.verification import Report, verify, verify_chain, verify_records
from govcredit.testing import City

from .conftest import head, kinds, last_seq, ledger_rows, sql


def entry_of(obj: Any) -> LedgerEntry:
    """The latest entry of a row."""
    entry = services.history(obj).order_by("-seq").first()
    assert entry is not None
    return entry


def found(report: Report) -> list[tuple[str, int | None, str | None]]:
    return [(f.kind, f.seq, f.entity) for f in report.findings]


@pytest.mark.django_db
def test_a_clean_ledger_verifies(ledger_city: City) -> None:
    report = verify()
    assert report.ok and report.findings == []
    assert report.entries == last_seq() == head().seq
    assert report.records == sum(m._base_manager.count() for m in verification.ledgered_models())


# (a) a column of a row changed ---------------------------------------------------------------------

UPDATES = [
    ("organization", "subjects_organization", "name", "南京市玄武区某局"),
    ("civil_servant", "subjects_civilservant", "post", "局长"),
    ("post", "subjects_postassignment", "rank", "二级巡视员"),
    ("record_type", "catalog_recordtype", "name", "纪律处分（改）"),
    ("version", "catalog_recordtypeversion", "description", "改过的说明"),
    ("record", "archive_creditrecord", "facts", "并无此事"),
    ("record", "archive_creditrecord", "status", "已撤销"),
    ("record", "archive_creditrecord", "amount", "0.000001"),
    ("record", "archive_creditrecord", "data", '{"punishment": "警告"}'),
    ("record", "archive_creditrecord", "publicity_end", "2025-01-01"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "table", "column", "value"), UPDATES, ids=[f"{u[1]}.{u[2]}" for u in UPDATES])
def test_a_changed_column_is_record_altered(ledger_city: City, row: str, table: str, column: str, value: str) -> None:
    obj = ledger_rows(ledger_city)[row]
    sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, obj.pk])
    report = verify()
    label = type(obj)._meta
    assert found(report) == [("record_altered", None, f"{label.label_lower}:{obj.pk}")]
    assert f"{label.verbose_name}（{label.label}）#{obj.pk}" in report.findings[0].message


@pytest.mark.django_db
def test_changing_a_row_back_makes_it_verify_again(ledger_city: City) -> None:
    original = sql("SELECT name FROM subjects_organization WHERE id = %s", [ledger_city.orgs["xuanwu_scjg"].pk])[0][0]
    sql("UPDATE subjects_organization SET name = %s WHERE id = %s", ["别名", ledger_city.orgs["xuanwu_scjg"].pk])
    assert not verify().ok
    sql("UPDATE subjects_organization SET name = %s WHERE id = %s", [original, ledger_city.orgs["xuanwu_scjg"].pk])
    assert verify().ok


# (b) a row inserted, (c) a row deleted ---------------------------------------------------------------

RECORD_COLUMNS = [f.column for f in CreditRecord._meta.concrete_fields if not f.primary_key]


@pytest.mark.django_db
def test_an_inserted_row_is_record_inserted(ledger_city: City) -> None:
    cols = ", ".join(RECORD_COLUMNS)
    picked = ", ".join("%s" if c == "decision_number" else c for c in RECORD_COLUMNS)
    [(new_id,)] = sql(f"INSERT INTO archive_creditrecord ({cols}) SELECT {picked} FROM archive_creditrecord "
                      "WHERE id = %s RETURNING id", ["伪〔2025〕1号", ledger_city.records["newest_penalty"].pk])
    report = verify()
    assert found(report) == [("record_inserted", None, f"archive.creditrecord:{new_id}")]
    assert f"#{new_id}" in report.findings[0].message and "没有任何留痕" in report.findings[0].message


@pytest.mark.django_db
def test_a_deleted_row_is_record_deleted(ledger_city: City) -> None:
    sql("DELETE FROM archive_creditrecord WHERE id = %s", [ledger_city.records["newest_penalty"].pk])
    report = verify()
    assert found(report) == [("record_deleted", None, f"archive.creditrecord:{ledger_city.records['newest_penalty'].pk}")]
    assert f"信用记录（archive.CreditRecord）#{ledger_city.records['newest_penalty'].pk} 已不存在" in report.findings[0].message


@pytest.mark.django_db
def test_a_deleted_organization_is_record_deleted(ledger_city: City) -> None:
    [(org_id,)] = sql("INSERT INTO subjects_organization (name, credit_code, org_type, region_code, parent_id, path, "
                      "depth, is_active, created_at, updated_at) SELECT '临时', '11320100000000999X', org_type, "
                      "region_code, NULL, '11320100000000999X/', 0, is_active, created_at, updated_at "
                      "FROM subjects_organization WHERE id = %s RETURNING id", [ledger_city.orgs["city"].pk])
    assert found(verify()) == [("record_inserted", None, f"subjects.organization:{org_id}")]
    sql("DELETE FROM subjects_organization WHERE id = %s", [org_id])
    post = ledger_rows(ledger_city)["post"]
    sql("DELETE FROM subjects_postassignment WHERE id = %s", [post.pk])
    assert found(verify()) == [("record_deleted", None, f"subjects.postassignment:{post.pk}")]


# (d)–(h) the entries themselves ---------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("column", "value"), [("reason", "无理由"), ("actor", "someone_else"), ("ts", 0),
                                               ("action", "record.delete"), ("entity_id", 424242)])
def test_a_changed_entry_is_entry_altered(ledger_city: City, column: str, value: Any) -> None:
    seq = entry_of(ledger_city.records["objected_discipline"]).seq - 1  # the discipline record's first entry: not the latest of anything
    sql(f"UPDATE ledger_ledgerentry SET {column} = %s WHERE seq = %s", [value, seq])
    report = verify()
    assert ("entry_altered", seq, None) in found(report)
    assert f"留痕记录 #{seq} " in next(f.message for f in report.findings if f.kind == "entry_altered")
    if column not in ("entity_id",):
        assert found(report) == [("entry_altered", seq, None)]


@pytest.mark.django_db
def test_a_deleted_middle_entry_is_entry_deleted(ledger_city: City) -> None:
    seq = entry_of(ledger_city.records["objected_discipline"]).seq - 1
    sql("DELETE FROM ledger_ledgerentry WHERE seq = %s", [seq])
    report = verify()
    assert found(report) == [("entry_deleted", seq, None)]
    assert report.findings[0].message == f"留痕记录 #{seq} 缺失（被删除）"


@pytest.mark.django_db
def test_deleted_middle_entries_are_named_as_a_range(ledger_city: City) -> None:
    sql("DELETE FROM ledger_ledgerentry WHERE seq IN (3, 4, 5)")
    report = verify()
    assert ("entry_deleted", 3, None) in found(report)
    assert "留痕记录 #3–5 缺失" in report.findings[0].message


@pytest.mark.django_db
def test_deleting_the_last_entries_and_fixing_the_head_is_still_found(ledger_city: City) -> None:
    """The chain itself is then consistent; the rows no longer match what the remaining entries say."""
    last = last_seq()
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [last - 2])  # discipline → 异议中, and the penalty
    [(tip,)] = sql("SELECT entry_hash FROM ledger_ledgerentry WHERE seq = %s", [last - 2])
    sql("UPDATE ledger_ledgerhead SET seq = %s, entry_hash = %s WHERE id = 1", [last - 2, tip])
    report = verify()
    assert sorted(found(report)) == [("record_altered", None, f"archive.creditrecord:{ledger_city.records['objected_discipline'].pk}"),
                                     ("record_inserted", None, f"archive.creditrecord:{ledger_city.records['newest_penalty'].pk}")]


@pytest.mark.django_db
def test_deleting_the_last_entries_without_fixing_the_head_is_entry_deleted(ledger_city: City) -> None:
    last = last_seq()
    sql("DELETE FROM ledger_ledgerentry WHERE seq > %s", [last - 2])
    report = verify()
    assert ("entry_deleted", last - 1, None) in found(report)
    assert f"链尾留痕记录 #{last - 1}–{last} 缺失" in report.findings[0].message


def forge(seq: int, prev: str, state_digest: str, key: bytes | None = None, actor: str = "clerk") -> tuple[Any, ...]:
    """An entry as an intruder would make it: everything right but the key (wrong, or none at all)."""
    payload = entry_payload(seq, 1_750_000_000_000_000, actor, "record.correct", "archive.creditrecord", 1,
                            "更正", state_digest, prev)
    digest = hashlib.blake2b(payload, key=key or b"not-the-ledger-key", digest_size=32).hexdigest()
    return (seq, 1_750_000_000_000_000, actor, "record.correct", "archive.creditrecord", 1, "更正", state_digest, prev,
            digest, None, "")


INSERT_ENTRY = (f"INSERT INTO ledger_ledgerentry ({', '.join(ENTRY_COLUMNS)}) "
                f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})")


@pytest.mark.django_db
def test_a_forged_entry_is_entry_altered(ledger_city: City) -> None:
    last, tip = last_seq(), head().entry_hash
    sql(INSERT_ENTRY, forge(last + 1, tip, "e" * 64))
    report = verify()
    assert ("entry_altered", last + 1, None) in found(report)
    assert ("entry_inserted", last + 1, None) in found(report)  # beyond the head
    assert f"链尾多出留痕记录 #{last + 1}–{last + 1}" in "".join(f.message for f in report.findings)


@pytest.mark.django_db
def test_a_forged_entry_covering_a_changed_row_is_found(ledger_city: City) -> None:
    """Change a row, append a matching entry with a made-up hash, move the head: the entry gives it away."""
    last, tip = last_seq(), head().entry_hash
    sql("UPDATE archive_creditrecord SET facts = %s WHERE id = %s", ["已更正", ledger_city.records["newest_penalty"].pk])
    forged = forge(last + 1, tip, digest_instance(CreditRecord.objects.get(pk=ledger_city.records["newest_penalty"].pk)))
    forged = forged[:5] + (ledger_city.records["newest_penalty"].pk,) + forged[6:]
    sql(INSERT_ENTRY, forged)
    sql("UPDATE ledger_ledgerhead SET seq = %s, entry_hash = %s WHERE id = 1", [last + 1, forged[9]])
    assert found(verify()) == [("entry_altered", last + 1, None)]


@pytest.mark.django_db
def test_an_entry_rehashed_with_another_key_is_entry_altered(ledger_city: City) -> None:
    entry = entry_of(ledger_city.records["objected_discipline"])  # not the last entry: the next one links to it
    digest = "f" * 64
    payload = entry_payload(entry.seq, entry.ts, entry.actor, entry.action, entry.entity_type, entry.entity_id,
                            entry.reason, digest, entry.prev_hash, entry.actor_user_id, entry.changes)
    rehashed = hashlib.blake2b(payload, key=b"guessed-key", digest_size=32).hexdigest()
    sql("UPDATE ledger_ledgerentry SET state_digest = %s, entry_hash = %s WHERE seq = %s", [digest, rehashed, entry.seq])
    sql("UPDATE ledger_ledgerentry SET prev_hash = %s WHERE seq = %s", [rehashed, entry.seq + 1])
    report = verify()
    assert ("entry_altered", entry.seq, None) in found(report)
    assert ("entry_altered", entry.seq + 1, None) in found(report)  # its prev_hash changed under its hash
    assert ("record_altered", None, f"archive.creditrecord:{ledger_city.records['objected_discipline'].pk}") in found(report)


@pytest.mark.django_db
def test_the_last_entry_rehashed_with_another_key_is_found(ledger_city: City) -> None:
    entry = entry_of(ledger_city.records["newest_penalty"])
    assert entry.seq == last_seq()
    payload = entry_payload(entry.seq, entry.ts, "root", entry.action, entry.entity_type, entry.entity_id,
                            entry.reason, entry.state_digest, entry.prev_hash, entry.actor_user_id, entry.changes)
    rehashed = hashlib.blake2b(payload, key=b"guessed-key", digest_size=32).hexdigest()
    sql("UPDATE ledger_ledgerentry SET actor = 'root', entry_hash = %s WHERE seq = %s", [rehashed, entry.seq])
    sql("UPDATE ledger_ledgerhead SET entry_hash = %s WHERE id = 1", [rehashed])
    assert found(verify()) == [("entry_altered", entry.seq, None)]


@pytest.mark.django_db
def test_a_changed_head_is_found(ledger_city: City) -> None:
    sql("UPDATE ledger_ledgerhead SET entry_hash = %s WHERE id = 1", ["0" * 64])
    assert found(verify()) == [("entry_altered", last_seq(), None)]
    sql("DELETE FROM ledger_ledgerhead")
    assert kinds(verify()) == ["entry_deleted"]


@pytest.mark.django_db
def test_many_findings_at_once(ledger_city: City) -> None:
    only = LedgerEntry.objects.get(seq=5)  # the only entry of a record type: that row loses its entry
    sql("UPDATE ledger_ledgerentry SET reason = 'x' WHERE seq = 2")
    sql("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    sql("UPDATE subjects_civilservant SET name = '李四' WHERE id = %s", [ledger_city.people["xuanwu"].pk])
    sql("DELETE FROM archive_creditrecord WHERE id = %s", [ledger_city.records["newest_penalty"].pk])
    assert sorted(found(verify())) == sorted([
        ("entry_altered", 2, None), ("entry_deleted", 5, None),
        ("record_altered", None, f"subjects.civilservant:{ledger_city.people['xuanwu'].pk}"),
        ("record_deleted", None, f"archive.creditrecord:{ledger_city.records['newest_penalty'].pk}"),
        ("record_inserted", None, f"{only.entity_type}:{only.entity_id}"),
    ])


# --- a live ledger ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rows_changed_after_the_chain_was_walked_are_not_reported(ledger_city: City) -> None:
    """verify() reads the chain, then the rows; a change committed in between must not look like tampering."""
    report = Report()
    chain = verify_chain(report)
    change_status(ledger_city.records["newest_penalty"], RecordStatus.REVOKED, actor="clerk", reason="复议撤销")
    with transaction.atomic():
        append([Change("clerk", "note", "archive.note", None, "0" * 64, "")])
    verify_records(report, chain)
    assert report.ok
    assert report.entries == last_seq() and chain.seq == last_seq()


@pytest.mark.django_db
def test_small_chunks_give_the_same_findings(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    sql("UPDATE ledger_ledgerentry SET reason = 'x' WHERE seq = 7")
    sql("DELETE FROM ledger_ledgerentry WHERE seq IN (10, 11)")
    expected = found(verify())
    monkeypatch.setattr(verification, "CHUNK", 3)
    assert found(verify()) == expected
    assert [k for k, _, _ in expected][:2] == ["entry_altered", "entry_deleted"]
    assert [(k, seq) for k, seq, _ in expected][:2] == [("entry_altered", 7), ("entry_deleted", 10)]


@pytest.mark.django_db
def test_rows_vouched_for_by_another_apps_entries(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row committed by a group entry of another app (e.g. an intake chunk) is checked against that."""
    cols = ", ".join(RECORD_COLUMNS)
    picked = ", ".join("%s" if c == "decision_number" else c for c in RECORD_COLUMNS)
    [(new_id,)] = sql(f"INSERT INTO archive_creditrecord ({cols}) SELECT {picked} FROM archive_creditrecord "
                      "WHERE id = %s RETURNING id", ["批〔2025〕1号", ledger_city.records["newest_penalty"].pk])
    vouched = {new_id: digest_instance(CreditRecord.objects.get(pk=new_id))}

    def provider(report: Report, upto: int) -> dict[int, str]:
        return vouched

    monkeypatch.setitem(verification._commitment_providers, "archive.creditrecord", [provider])
    assert verify().ok
    sql("UPDATE archive_creditrecord SET result = '免予处罚' WHERE id = %s", [new_id])
    assert found(verify()) == [("record_altered", None, f"archive.creditrecord:{new_id}")]
    sql("DELETE FROM archive_creditrecord WHERE id = %s", [new_id])
    assert found(verify()) == [("record_deleted", None, f"archive.creditrecord:{new_id}")]
