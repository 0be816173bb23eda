"""Publications made before the masking rules covered every spelling are masked again, through the ledger."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from govcredit.disclosure.masking import remask_publications
from govcredit.disclosure.models import Publication, PublicationSearchKey, PublicAuthority
from govcredit.disclosure.rules import public_name
from govcredit.disclosure.search import index_publications, parse_criteria, run_search
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import create_with_entries
from govcredit.ledger.verification import verify
from govcredit.testing import City

from .portal_data import code, days_ago, penalty

pytestmark = pytest.mark.django_db
NUMBER = "玄市监罚〔2026〕501号（3201 0219 9003 0500 17）"
AUTHORITY = "南京市玄武区市场监督管理局（联系人138.2222.3333）"


def _old_publication(city: City) -> Publication:
    """A publication as the application made it before: the record's text copied unmasked, and indexed."""
    record = penalty(city, NUMBER, "吴记１３９－１１１１－２２２２小吃店", kind="个体工商户", credit_code=code(51, prefix="92"),
                     legal_rep="吴小军", authority=AUTHORITY, decided=days_ago(3))
    assert record.publicity_end is not None
    pub = Publication(record=record, published_at=record.created_at, visible_until=record.publicity_end,
                      public_name=public_name(record), credit_code=record.counterparty_code,
                      decision_number=record.decision_number, authority_name=record.authority_name,
                      type_name=record.record_type.name, decision_date=record.decision_date)
    create_with_entries(Publication, [pub], actor="system", action="disclosure.publish", reason="依规公示")
    index_publications([pub])
    return pub


def test_remask_masks_old_publications_with_ledger_entries_and_reindexes(city: City) -> None:
    pub = _old_publication(city)
    assert run_search(parse_criteria({"number": "玄市监罚〔2026〕501号（3201 0219"})).total == 1
    before = LedgerEntry.objects.count()

    assert remask_publications() == 1
    pub.refresh_from_db()
    assert pub.decision_number == "玄市监罚〔2026〕501号（3201**********0017）"
    assert pub.authority_name == "南京市玄武区市场监督管理局（联系人138****3333）"
    assert pub.public_name == "吴记139****2222小吃店"
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "disclosure.remask" and entry.entity_id == pub.pk
    assert LedgerEntry.objects.count() == before + 1
    assert verify().ok  # nothing changed behind the ledger
    # the search index follows: the old text finds nothing, the masked text finds the publication
    assert PublicationSearchKey.objects.get(publication_id=pub.pk).number_key.startswith("玄市监罚〔2026〕501号(3201**")
    assert run_search(parse_criteria({"number": "玄市监罚〔2026〕501号（3201 0219"})).total == 0
    assert run_search(parse_criteria({"q": "吴记139"})).total == 1
    assert set(PublicAuthority.objects.values_list("name", flat=True)) == {pub.authority_name}

    assert remask_publications() == 0  # idempotent: nothing more to mask, no entry
    assert LedgerEntry.objects.count() == before + 1


def test_the_migration_runs_the_service(city: City) -> None:
    pub = _old_publication(city)
    migration = importlib.import_module("govcredit.disclosure.migrations.0005_remask_publications")

    class Editor:  # what the migration's function reads of a schema editor
        connection: BaseDatabaseWrapper

    editor = Editor()
    editor.connection = connection
    migration.remask(global_apps, editor)
    pub.refresh_from_db()
    assert "3201 0219" not in pub.decision_number and "138.2222" not in pub.authority_name
