"""Ledgered models refuse every write that does not go through the ledger services."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from govcredit.ledger.models import LedgerBypassError, LedgeredModel, LedgerEntry, ledger_writing
from govcredit.ledger.verification import ledgered_models, verify
from govcredit.testing import City

from .conftest import ledger_rows

ROWS = ["organization", "civil_servant", "post", "record_type", "version", "record"]
# A text column of each, to change.
COLUMN = {"organization": "name", "civil_servant": "post", "post": "rank", "record_type": "name",
          "version": "description", "record": "facts"}


def _unsaved_copy(obj: LedgeredModel) -> LedgeredModel:
    clone = copy.copy(obj)
    clone.pk = None
    clone._state.adding = True
    return clone


def _save(obj: LedgeredModel, col: str) -> None:
    setattr(obj, col, "改")
    obj.save()


def _save_update_fields(obj: LedgeredModel, col: str) -> None:
    setattr(obj, col, "改")
    obj.save(update_fields=[col])


def _bulk_update(obj: LedgeredModel, col: str) -> None:
    setattr(obj, col, "改")
    type(obj).objects.bulk_update([obj], [col])


WRITES: dict[str, Callable[[LedgeredModel, str], Any]] = {
    "save": _save,
    "save_update_fields": _save_update_fields,
    "delete": lambda obj, col: obj.delete(),
    "queryset_update": lambda obj, col: type(obj).objects.filter(pk=obj.pk).update(**{col: "改"}),
    "queryset_delete": lambda obj, col: type(obj).objects.filter(pk=obj.pk).delete(),
    "bulk_create": lambda obj, col: type(obj).objects.bulk_create([_unsaved_copy(obj)]),
    "bulk_update": _bulk_update,
    "create": lambda obj, col: type(obj).objects.create(
        **{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}),
    "base_manager_update": lambda obj, col: type(obj)._base_manager.filter(pk=obj.pk).update(**{col: "改"}),
}


def test_every_ledgered_model_is_covered() -> None:
    labels = {m._meta.label for m in ledgered_models()}
    assert {"subjects.Organization", "subjects.CivilServant", "subjects.PostAssignment", "catalog.RecordType",
            "catalog.RecordTypeVersion", "archive.CreditRecord"} <= labels


@pytest.mark.django_db
@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("row", ROWS)
def test_direct_writes_are_refused(ledger_city: City, row: str, write: str) -> None:
    obj = ledger_rows(ledger_city)[row]
    model = type(obj)
    before = (model.objects.count(), LedgerEntry.objects.count(),
              getattr(model.objects.get(pk=obj.pk), COLUMN[row]))
    with pytest.raises(LedgerBypassError, match="只能通过留痕服务"):
        WRITES[write](obj, COLUMN[row])
    after = (model.objects.count(), LedgerEntry.objects.count(), getattr(model.objects.get(pk=obj.pk), COLUMN[row]))
    assert after == before
    assert verify().ok


@pytest.mark.django_db
def test_deleting_stays_refused_even_inside_ledger_writing(ledger_city: City) -> None:
    with ledger_writing(), pytest.raises(LedgerBypassError):
        ledger_city.records["newest_penalty"].delete()
    with ledger_writing(), pytest.raises(LedgerBypassError):
        type(ledger_city.records["newest_penalty"]).objects.filter(pk=ledger_city.records["newest_penalty"].pk).delete()


@pytest.mark.django_db
def test_a_save_that_skips_the_entry_is_found_by_verify(ledger_city: City) -> None:
    """ledger_writing() is for the services only; code that misuses it is still caught."""
    with ledger_writing():
        ledger_city.orgs["xuanwu_scjg"].name = "偷偷改名"
        ledger_city.orgs["xuanwu_scjg"].save()
    report = verify()
    assert [(f.kind, f.entity) for f in report.findings] == [("record_altered", f"subjects.organization:{ledger_city.orgs['xuanwu_scjg'].pk}")]


@pytest.mark.django_db
def test_a_cascading_delete_is_refused(ledger_city: City) -> None:
    """Deleting another model's row whose delete cascades to ledgered rows goes through Django's collector."""
    from django.db.models.deletion import Collector

    collector = Collector(using="default")
    collector.collect([ledger_city.records["newest_penalty"]])
    with pytest.raises(LedgerBypassError), transaction.atomic():
        collector.delete()
    assert type(ledger_city.records["newest_penalty"]).objects.filter(pk=ledger_city.records["newest_penalty"].pk).exists()
