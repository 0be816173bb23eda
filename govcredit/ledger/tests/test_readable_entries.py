"""Entries people can read: the acting user, the changed values, and verification covering both."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.db import models
from django.test import override_settings

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status, correct_record
from govcredit.core import crypto
from govcredit.ledger import services
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import rotate_encrypted_fields, update_with_entries
from govcredit.ledger.verification import Report, verify
from govcredit.subjects.models import CivilServant
from govcredit.testing import City

from .conftest import sql


def entry_of(obj: models.Model) -> LedgerEntry:
    entry = services.history(obj).order_by("-seq").first()
    assert entry is not None
    return entry


def found(report: Report) -> list[tuple[str, int | None, str | None]]:
    return [(f.kind, f.seq, f.entity) for f in report.findings]


@pytest.fixture
def clerk(ledger_city: City) -> User:
    return create_user("clerk_wang", "Pass-word-123", role=Role.CREDIT_OFFICE, organization=ledger_city.orgs["xuanwu_scjg"],
                       display_name="王科员")


@pytest.mark.django_db
def test_a_user_acting_is_kept_beside_the_name_and_a_change_names_old_and_new(ledger_city: City, clerk: User) -> None:
    change_status(ledger_city.records["newest_penalty"], RecordStatus.OBJECTION, actor=clerk, reason="当事人提出异议")
    entry = entry_of(ledger_city.records["newest_penalty"])
    assert (entry.actor, entry.actor_user_id, entry.action) == ("clerk_wang", clerk.pk, "record.status")
    assert entry.changed_values == {"status": ["有效", "异议中"]}
    assert verify().ok


@pytest.mark.django_db
def test_a_name_alone_still_works_and_a_creation_lists_no_changes(ledger_city: City) -> None:
    entry = services.history(ledger_city.records["newest_penalty"]).order_by("seq").first()
    assert entry is not None and (entry.actor, entry.actor_user_id, entry.changes) == ("clerk", None, "")


@pytest.mark.django_db
def test_a_correction_lists_every_changed_column_and_only_those(ledger_city: City, clerk: User) -> None:
    record = ledger_city.records["objected_discipline"]
    values = {"处分决定文号": "玄纪〔2024〕9号", "处分机关": "玄武区纪委监委", "处分决定日期": "2024-02-29",
              "处分种类": "警告", "违纪违法事实": "违规接受宴请（更正）", "严重程度": "严重"}
    correct_record(record, values, actor=clerk, reason="文书笔误")
    changed = entry_of(record).changed_values
    assert changed["facts"] == ["违规接受宴请", "违规接受宴请（更正）"]
    assert "updated_at" not in changed and "decision_number" not in changed
    assert verify().ok


@pytest.mark.django_db
def test_a_bulk_update_names_each_rows_old_and_new_values(ledger_city: City) -> None:
    rows = list(CreditRecord.objects.filter(pk__in=[ledger_city.records["newest_penalty"].pk]))
    rows[0].facts = "新的事实"
    update_with_entries(CreditRecord, rows, ["facts"], actor="system", action="record.correct", reason="批量更正")
    assert entry_of(ledger_city.records["newest_penalty"]).changed_values == {"facts": ["未取得营业执照从事经营活动", "新的事实"]}


@pytest.mark.django_db
def test_hidden_columns_are_named_without_their_values(ledger_city: City) -> None:
    """A re-encrypted ID number: the entry says the cipher changed, never what it was or is."""
    old = ledger_city.people["xuanwu"].id_cipher
    try:
        with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode(), *crypto.active_keys()]):
            crypto.reset_keys()
            rotate_encrypted_fields()
    finally:
        crypto.reset_keys()
    entry = entry_of(CivilServant.objects.get(pk=ledger_city.people["xuanwu"].pk))
    assert entry.changed_values == {"id_cipher": None}
    assert old not in entry.changes and "320102" not in entry.changes


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", [
    "UPDATE ledger_ledgerentry SET actor_user_id = %(other)s WHERE seq = %(seq)s",
    "UPDATE ledger_ledgerentry SET actor_user_id = NULL WHERE seq = %(seq)s",
    "UPDATE ledger_ledgerentry SET changes = '{\"status\":[\"有效\",\"已撤销\"]}' WHERE seq = %(seq)s",
    "UPDATE ledger_ledgerentry SET changes = '' WHERE seq = %(seq)s",
    "UPDATE ledger_ledgerentry SET changes = '', actor_user_id = NULL WHERE seq = %(seq)s",
])
def test_changing_the_user_or_the_values_of_an_entry_is_found(ledger_city: City, clerk: User, tamper: str) -> None:
    other = create_user("intruder", "Pass-word-123", role=Role.CREDIT_OFFICE, organization=ledger_city.orgs["xuanwu_scjg"])
    change_status(ledger_city.records["newest_penalty"], RecordStatus.OBJECTION, actor=clerk, reason="当事人提出异议")
    change_status(ledger_city.records["newest_penalty"], RecordStatus.VALID, actor=clerk, reason="异议不成立")  # the tampered one is not last
    seq = services.history(ledger_city.records["newest_penalty"]).order_by("-seq").values_list("seq", flat=True)[1]
    sql(tamper.replace("%(other)s", str(other.pk)).replace("%(seq)s", str(seq)))
    assert found(verify()) == [("entry_altered", seq, None)]


@pytest.mark.django_db
def test_adding_a_user_or_values_to_an_older_entry_is_found(ledger_city: City, clerk: User) -> None:
    """Entries written before these columns (neither set) verify as they are; giving them either is found."""
    seq = entry_of(ledger_city.records["objected_discipline"]).seq
    assert LedgerEntry.objects.get(seq=seq).changes == "{\"status\":[\"有效\",\"异议中\"]}"
    first = services.history(ledger_city.records["objected_discipline"]).order_by("seq").first()
    assert first is not None
    sql("UPDATE ledger_ledgerentry SET actor_user_id = %s WHERE seq = %s", [clerk.pk, first.seq])
    assert found(verify()) == [("entry_altered", first.seq, None)]


@pytest.mark.django_db
def test_values_with_separators_and_control_characters_round_trip(ledger_city: City, clerk: User) -> None:
    values = {"处分决定文号": "玄纪〔2024〕9号", "处分机关": "玄武区纪委监委", "处分决定日期": "2024-02-29",
              "处分种类": "记过", "违纪违法事实": "第一行\n\x1f第二行\x1d", "严重程度": "严重"}
    correct_record(ledger_city.records["objected_discipline"], values, actor=clerk, reason="更正")
    entry = entry_of(ledger_city.records["objected_discipline"])
    assert "\x1f" not in entry.changes and "\x1d" not in entry.changes
    assert json.loads(entry.changes)["facts"][1].startswith("第一行\n")
    assert verify().ok
