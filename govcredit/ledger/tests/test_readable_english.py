"""History pages under /en/ name what an entry is about and each changed field in English: models and
fields name themselves in Chinese (``verbose_name``) and the project's catalogue translates them
(``ledger.readable.model_name``/``field_name``); a choice's old and new values are its labels in the page's
language, other values are data, marked ``translate="no"`` (test_history_pages)."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.ledger.models import LedgeredModel
from govcredit.ledger.readable import entities, field_name, model_name
from govcredit.testing import City

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def test_every_ledgered_model_and_field_has_an_english_name() -> None:
    missing = []
    with translation.override("en"):
        for model in apps.get_models():
            if not issubclass(model, LedgeredModel):
                continue
            names = [model_name(model), *(field_name(f) for f in model._meta.concrete_fields)]
            missing += [f"{model._meta.label_lower}: {name}" for name in names if CJK.search(name)]
        missing += [f"entity {e.entity_type}: {e.en}" for e in entities().values() if CJK.search(e.en)]
    assert not missing, "add English msgids (block 'Model and field names' of the catalogue):\n" + "\n".join(missing)
    with translation.override("zh-hans"):
        from govcredit.archive.models import CreditRecord

        assert field_name(CreditRecord._meta.get_field("status")) == "状态"


@pytest.mark.django_db
def test_a_status_change_reads_in_english_with_its_values_marked(city: City) -> None:
    record = city.records["qinhuai_penalty"]
    change_status(record, RecordStatus.OBJECTION, actor=city.users["credit"], reason="收到异议")
    client = Client()
    client.force_login(city.users["credit"])
    english = client.get(f"/en/archive/records/{record.pk}/").content.decode()
    assert "<li>Status: <del>Valid</del> → <ins>Under objection</ins></li>" in english, \
        english[english.find('class="changes"'):][:400]
    ledger = client.get("/en/ledger/").content.decode()
    assert "状态" not in ledger and ">Credit record #" in ledger
    chinese = client.get(f"/archive/records/{record.pk}/").content.decode()
    assert "<li>状态：<del>有效</del> → <ins>异议中</ins></li>" in chinese
