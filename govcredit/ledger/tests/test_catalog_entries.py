"""Loading the catalog into an empty database (a module of its own: the other ledger tests share a city
with the catalog already loaded)."""

from __future__ import annotations

from typing import Any

import pytest

from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.catalog.services import load_catalog
from govcredit.ledger.models import LedgerEntry


def new_entries(since: int) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(seq__gt=since).order_by("seq"))


@pytest.mark.django_db
def test_loading_the_catalog_ledgers_every_type_and_version_once(db: Any) -> None:
    since = LedgerEntry.objects.count()
    load_catalog()
    expected = {("catalog.recordtype", pk) for pk in RecordType.objects.values_list("pk", flat=True)}
    expected |= {("catalog.recordtypeversion", pk) for pk in RecordTypeVersion.objects.values_list("pk", flat=True)}
    got = [(e.entity_type, e.entity_id) for e in new_entries(since)]
    assert sorted(got) == sorted(expected) and len(got) == len(expected)
    load_catalog()  # nothing changed: nothing appended
    assert LedgerEntry.objects.count() == since + len(expected)
