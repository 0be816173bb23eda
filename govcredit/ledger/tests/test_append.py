"""Appending: one entry per changed row, in the row's own transaction, chained and hashed exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, models, transaction

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType
from govcredit.ledger import services, verification
from govcredit.ledger.hashing import (
    ENTRY_COLUMNS,
    digest_instance,
    digest_state,
    entity_type_of,
    entry_hash,
    entry_payload,
    keyed_hasher,
    micros,
    state_attnames,
    state_of,
    state_of_stored,
    state_of_values,
    stored_select,
)
from govcredit.ledger.models import LedgeredModel, LedgerEntry
from govcredit.ledger.services import (
    Change,
    append,
    create_with_entries,
    history,
    save_with_entry,
    update_with_entries,
)
from govcredit.ledger.verification import verify
from govcredit.subjects import services as subject_services
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant, Organization, PostAssignment
from govcredit.subjects.services import register_civil_servant, register_organization
from govcredit.testing import City

from .conftest import head, last_seq, ledger_rows, penalty


class InsertSpy:
    """Records, at the moment entries are written, whether a transaction is open and the rows are there."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[dict[str, Any]] = []
        real = services._insert_entries

        def spy(rows: list[tuple[Any, ...]]) -> None:
            present = []
            for row in rows:
                model = next(m for m in verification.ledgered_models() if entity_type_of(m) == row[4])
                present.append(model._base_manager.filter(pk=row[5]).exists())
            self.calls.append({"atomic": connection.in_atomic_block, "entities": [(r[4], r[5]) for r in rows],
                               "present": present})
            real(rows)

        monkeypatch.setattr(services, "_insert_entries", spy)


def new_entries(since: int) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(seq__gt=since).order_by("seq"))


def org_code(n: int) -> str:
    return make_credit_code("11", "320100", f"{n:09d}")


@pytest.mark.django_db
def test_register_organization_writes_one_entry_in_its_transaction(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = InsertSpy(monkeypatch)
    since, tip = last_seq(), head().entry_hash
    org = register_organization(name="南京市统计局", credit_code=org_code(77), org_type="机关", region_code="320100",
                                parent=ledger_city.orgs["city"], actor="clerk", reason="新设")
    [entry] = new_entries(since)
    assert (entry.seq, entry.prev_hash, entry.actor, entry.action, entry.reason) == (
        since + 1, tip, "clerk", "subject.org.create", "新设")
    assert (entry.entity_type, entry.entity_id) == ("subjects.organization", org.pk)
    assert entry.state_digest == digest_instance(Organization.objects.get(pk=org.pk))
    assert entry.entry_hash == entry_hash(entry_payload(entry.seq, entry.ts, entry.actor, entry.action, entry.entity_type,
                                                        entry.entity_id, entry.reason, entry.state_digest, entry.prev_hash,
                                                        entry.actor_user_id, entry.changes))
    assert (head().seq, head().entry_hash) == (entry.seq, entry.entry_hash)
    assert spy.calls == [{"atomic": True, "entities": [("subjects.organization", org.pk)], "present": [True]}]
    assert list(history(org)) == [entry]


@pytest.mark.django_db
def test_each_service_writes_exactly_one_entry_per_changed_row(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = InsertSpy(monkeypatch)
    since = last_seq()
    person = register_civil_servant(name="赵一", id_number=make_id_number("320102", dt.date(1990, 1, 2), 11),
                                    employer=ledger_city.orgs["xuanwu_scjg"], post="科员", actor="clerk")
    post = PostAssignment.objects.get(person=person)
    record = change_status(ledger_city.records["newest_penalty"], RecordStatus.REVOKED, actor="clerk", reason="复议撤销")
    assert [(e.entity_type, e.entity_id, e.action) for e in new_entries(since)] == [
        ("subjects.civilservant", person.pk, "subject.person.create"),
        ("subjects.postassignment", post.pk, "subject.post.start"),
        ("archive.creditrecord", record.pk, "record.status"),
    ]
    assert all(call["atomic"] and all(call["present"]) for call in spy.calls)
    assert new_entries(since)[-1].state_digest == digest_instance(CreditRecord.objects.get(pk=record.pk))
    assert verify().ok


@pytest.mark.django_db
def test_bulk_create_and_update_write_one_entry_per_row(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = InsertSpy(monkeypatch)
    since = last_seq()
    objs = [Organization(name=f"街道{i}", credit_code=org_code(100 + i), org_type="街道", region_code="320102",
                         parent=ledger_city.orgs["xuanwu_scjg"], path=f"x{i}/", depth=2) for i in range(5)]
    created = create_with_entries(Organization, objs, actor="import", action="subject.org.create", reason="批量")
    assert [(e.entity_id, e.action) for e in new_entries(since)] == [(o.pk, "subject.org.create") for o in created]
    for o in created:
        o.is_active = False
    update_with_entries(Organization, created, ["is_active"], actor="import", action="subject.org.update", reason="撤并")
    updates = new_entries(since)[5:]
    assert [e.entity_id for e in updates] == [o.pk for o in created]
    assert [e.state_digest for e in updates] == [digest_instance(o) for o in Organization.objects.filter(
        pk__in=[o.pk for o in created]).order_by("pk")]
    assert [len(c["entities"]) for c in spy.calls] == [5, 5] and all(c["atomic"] for c in spy.calls)
    assert verify().ok


@pytest.mark.django_db
def test_a_failing_entry_write_leaves_neither_row_nor_entry(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (Organization.objects.count(), LedgerEntry.objects.count(), head().seq, head().entry_hash)

    def broken(rows: Any) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services, "_insert_entries", broken)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        register_organization(name="南京市审计局", credit_code=org_code(78), org_type="机关", region_code="320100",
                              parent=ledger_city.orgs["city"], actor="clerk")
    assert (Organization.objects.count(), LedgerEntry.objects.count(), head().seq, head().entry_hash) == before
    assert not Organization.objects.filter(credit_code=org_code(78)).exists()


@pytest.mark.django_db
def test_an_exception_after_the_save_rolls_back_row_and_entry(ledger_city: City) -> None:
    before = (CreditRecord.objects.count(), LedgerEntry.objects.count(), head().seq)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_decision(RecordType.objects.get(code="xzcf").current(), penalty("玄市监罚〔2025〕99号", ledger_city.orgs["xuanwu_scjg"].credit_code),
                        issuing_org=ledger_city.orgs["xuanwu_scjg"], actor="clerk")
        assert LedgerEntry.objects.count() == before[1] + 1  # written in this transaction …
        raise RuntimeError("后续步骤失败")
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count(), head().seq) == before  # … and gone with it
    assert verify().ok


@pytest.mark.django_db
def test_a_service_failing_halfway_leaves_nothing(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """register_civil_servant writes the person, then the post: a failure at the post undoes both."""
    real = save_with_entry  # what subjects.services calls

    def failing_at_post(instance: LedgeredModel, **kwargs: Any) -> Any:
        if isinstance(instance, PostAssignment):
            raise RuntimeError("任职写入失败")
        return real(instance, **kwargs)

    monkeypatch.setattr(subject_services, "save_with_entry", failing_at_post)
    before = (CivilServant.objects.count(), PostAssignment.objects.count(), LedgerEntry.objects.count(), head().seq)
    with pytest.raises(RuntimeError, match="任职写入失败"):
        register_civil_servant(name="钱二", id_number=make_id_number("320102", dt.date(1991, 3, 4), 21),
                               employer=ledger_city.orgs["xuanwu_scjg"], post="科员", actor="clerk")
    assert (CivilServant.objects.count(), PostAssignment.objects.count(), LedgerEntry.objects.count(),
            head().seq) == before


@pytest.mark.django_db
def test_a_bulk_create_failing_midway_leaves_nothing(ledger_city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = digest_instance  # what ledger.services calls

    def flaky(obj: models.Model) -> str:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("摘要失败")
        return real(obj)

    monkeypatch.setattr(services, "digest_instance", flaky)
    before = (Organization.objects.count(), LedgerEntry.objects.count())
    objs = [Organization(name=f"社区{i}", credit_code=org_code(200 + i), org_type="居民委员会", region_code="320102",
                         parent=ledger_city.orgs["xuanwu_scjg"], path=f"y{i}/", depth=2) for i in range(4)]
    with pytest.raises(RuntimeError, match="摘要失败"):
        create_with_entries(Organization, objs, actor="import", action="subject.org.create")
    assert (Organization.objects.count(), LedgerEntry.objects.count()) == before
    monkeypatch.undo()
    register_organization(name="南京市审计局", credit_code=org_code(79), org_type="机关", region_code="320100",
                          parent=ledger_city.orgs["city"], actor="clerk")  # the chain goes on from where it was
    assert verify().ok


@pytest.mark.django_db
def test_append_returns_the_stored_entries_and_cleans_separators(ledger_city: City) -> None:
    since = last_seq()
    with transaction.atomic():
        entries = append([Change("审计\x1f员", "note", "archive.note", None, "0" * 64, "理由\x1f含分隔符\x00"),
                          Change("clerk", "note", "archive.note", 7, "1" * 64, "")])
    stored = new_entries(since)
    assert [(e.seq, e.entry_hash, e.actor, e.reason) for e in entries] == [
        (e.seq, e.entry_hash, e.actor, e.reason) for e in stored]
    assert stored[0].actor == "审计␟员" and stored[0].reason == "理由␟含分隔符␀"
    assert stored[1].prev_hash == stored[0].entry_hash and not entries[0]._state.adding
    assert verify().ok


# --- the canonical forms ---------------------------------------------------------------------------

def reference_digest(instance: models.Model) -> str:
    """The state digest as the ledger computes it (kept here to pin the format): BLAKE2b keyed with the
    ledger key, personalised ``govcredit-state``, over the sorted compact JSON of the canonical values."""
    def canonical(f: models.Field[Any, Any], value: Any) -> Any:
        if value is None:
            return None
        if isinstance(f, models.DecimalField):
            return str(Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places)))
        if isinstance(f, models.DateTimeField):
            return micros(f.to_python(value) if isinstance(value, str) else value)
        if isinstance(f, models.DateField):
            return (f.to_python(value) if isinstance(value, str) else value).isoformat()
        if isinstance(f, models.BooleanField):
            return bool(value)
        if isinstance(f, models.IntegerField | models.AutoField | models.ForeignKey):
            return int(value)
        return value

    state = {f.attname: canonical(f, getattr(instance, f.attname)) for f in instance._meta.concrete_fields}
    blob = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(blob.encode(), key=settings.LEDGER_KEY, digest_size=32, person=b"govcredit-state").hexdigest()


@pytest.mark.django_db
def test_state_digests_keep_their_format_in_memory_and_from_the_database(ledger_city: City) -> None:
    for obj in ledger_rows(ledger_city).values():
        model = type(obj)
        fresh = model.objects.get(pk=obj.pk)
        values = model.objects.filter(pk=obj.pk).values_list(*state_attnames(model)).get()
        assert digest_instance(obj) == reference_digest(obj) == reference_digest(fresh)
        assert digest_state(state_of_values(model, values)) == digest_instance(fresh)
        with connection.cursor() as cur:
            cur.execute(f"{stored_select(model, connection.vendor)} WHERE id = %s", [obj.pk])
            stored = cur.fetchone()
        assert digest_state(state_of_stored(model, stored)) == digest_instance(obj)


def test_nested_json_is_digested_with_sorted_keys() -> None:
    record = CreditRecord(id=5, record_type_id="3", type_version_id=4, issuing_org_id=1, decision_number="x",
                          decision_date=dt.date(2025, 1, 2), authority_name="机关", amount=Decimal("1.5"),
                          data={"z": {"b": 1, "a": [{"y": 2, "x": (1, 2)}]}, "a": {10: "十", 2: "二"}, "m": "中文"})
    assert digest_instance(record) == reference_digest(record) == digest_state(state_of(record))


@pytest.mark.django_db
def test_the_database_builds_the_payloads_python_builds(ledger_city: City) -> None:
    with transaction.atomic():
        append([Change("张三（审核）", "record.create", "archive.note", None, "a" * 64, ""),
                Change("system", "x", "archive.note", 9_007_199_254_740_993, "b" * 64, "理由：🙂 ünï"),
                Change("system", "x", "archive.note", -5, "c" * 64, "多行\n理由\t")])
    rows = list(LedgerEntry.objects.order_by("seq").values_list(*ENTRY_COLUMNS))
    chunk = verification._fetch_chunk(0, rows[-1][0])
    assert chunk.payloads == [entry_payload(*r[:9], *r[10:]) for r in rows]
    assert chunk.hashes == [r[9].encode() for r in rows]
    assert (chunk.first, chunk.last, chunk.count) == (1, rows[-1][0], len(rows))
    keyed = keyed_hasher()
    for payload, stored in zip(chunk.payloads, chunk.hashes, strict=True):
        h = keyed.copy()
        h.update(payload)
        assert h.hexdigest() == entry_hash(payload) == stored.decode()
    assert verify().ok


@pytest.mark.django_db
def test_a_field_with_the_chunk_separator_is_checked_exactly(ledger_city: City) -> None:
    """U+001D inside a reason splits the chunk wrongly: the exact check takes over, with no false finding."""
    with transaction.atomic():
        append([Change("clerk", "note", "archive.note", 1, "d" * 64, "含\x1d组分隔符")])
    report = verify()
    assert report.ok and report.entries == last_seq()


@pytest.mark.django_db
def test_value_changes_give_what_saving_the_instance_would(ledger_city: City) -> None:
    """A batch job's entry computed from values read (``ValueChanges``) equals the one ``save_with_entry``
    writes for the same change of the instance: the new state's digest and the changed values, with a hidden
    column only named, an unchanged one left out and dates, times and decimals in their canonical form."""
    record = ledger_city.records["objected_discipline"]
    model = type(record)
    old = model.objects.filter(pk=record.pk).values_list(*state_attnames(model)).get()
    before = state_of(model.objects.get(pk=record.pk))
    hidden = "counterparty_id_index"
    assert hidden in model.ledger_hidden
    new: dict[str, Any] = {"status": RecordStatus.REVOKED.value, "decision_date": dt.date(2024, 3, 1),
                           "amount": Decimal("12.5"), "decision_number": record.decision_number,
                           hidden: "changed-secret"}
    changed = model.objects.get(pk=record.pk)
    for name, value in new.items():
        setattr(changed, name, value)
    digest, diff = services.ValueChanges(model)(old, new)
    assert digest == digest_instance(changed) == reference_digest(changed)
    assert diff == services.changed_values(model, before, state_of(changed), list(new))
    shown = json.loads(diff)
    assert shown["status"] == [before["status"], RecordStatus.REVOKED.value]
    assert shown["decision_date"] == [before["decision_date"], "2024-03-01"] and shown["amount"][1] == "12.500000"
    assert "decision_number" not in shown and shown[hidden] is None
    assert services.ValueChanges(model)(old, {"status": before["status"]}) == (digest_state(before), "")


@pytest.mark.django_db
def test_append_changes_writes_the_entries_append_writes(ledger_city: City) -> None:
    since = last_seq()
    with transaction.atomic():
        count = services.append_changes(iter([Change("clerk", "note", "archive.note", 3, "0" * 64, "甲", None, ""),
                                              Change("clerk", "note", "archive.note", 4, "1" * 64, "乙", None,
                                                     '{"status":["a","b"]}')]))
    stored = new_entries(since)
    assert count == 2 and [(e.entity_id, e.reason, e.changes) for e in stored] == [
        (3, "甲", ""), (4, "乙", '{"status":["a","b"]}')]
    assert stored[1].prev_hash == stored[0].entry_hash
    assert head().seq == stored[1].seq and head().entry_hash == stored[1].entry_hash
    assert verify().ok


@pytest.mark.django_db
def test_append_changes_continues_from_a_head_locked_by_the_caller(ledger_city: City) -> None:
    """A batch job locks and reads the head with its own work (``head_lock_sql``) and passes it: the entries
    continue the chain from it; a stale head cannot fork the chain (its next number is taken)."""
    since = last_seq()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(services.head_lock_sql())
        seq, tip = cur.fetchone()
        count = services.append_changes([Change("system", "note", "archive.note", 5, "2" * 64, "丙")],
                                        head=(int(seq), str(tip)))
    stored = new_entries(since)
    assert count == 1 and seq == since and [(e.seq, e.prev_hash) for e in stored] == [(since + 1, tip)]
    assert head().seq == since + 1 and head().entry_hash == stored[0].entry_hash
    assert verify().ok
    # IntegrityError on SQLite, psycopg's UniqueViolation from the COPY on PostgreSQL
    with pytest.raises(Exception, match=r"(?i)unique"), transaction.atomic():  # noqa: PT011
        services.append_changes([Change("system", "note", "archive.note", 6, "3" * 64, "丁")], head=(seq, tip))
    assert verify().ok
