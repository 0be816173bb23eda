"""Every action code the apps write into the ledger is a registered event type with a Chinese and an
English label (ledger.events, filled from the apps' ``apps.py``), and history pages show the label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from govcredit.ledger.events import event_types, label, register_event_type
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City, publish_recent_penalty

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PACKAGE = Path(__file__).resolve().parents[2]


def _codes_written_in_the_code() -> set[str]:
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'\baction="([a-z_]+\.[a-z_.]+)"', text))
        codes |= set(re.findall(r'^[A-Z_]*ACTION = "([a-z_]+\.[a-z_.]+)"', text, re.MULTILINE))
    return codes


def test_every_action_the_code_writes_is_registered_with_both_labels() -> None:
    codes = _codes_written_in_the_code()
    assert {"record.create", "subject.org.create", "disclosure.publish", "intake.chunk", "crypto.rekey"} <= codes
    registered = event_types()
    assert codes <= set(registered)
    for event in registered.values():
        assert re.search(r"[\u4e00-\u9fff]", event.zh) and re.fullmatch(r"[A-Za-z][A-Za-z ,\-]+", event.en)


def test_a_code_means_one_thing() -> None:
    event = event_types()["record.create"]
    register_event_type(event.code, event.zh, event.en)  # the same again changes nothing
    with pytest.raises(ValueError, match="registered already"):
        register_event_type(event.code, "别的意思", "Something else")
    assert label("no.such.code") == "no.such.code"


@pytest.mark.django_db
def test_entries_of_a_city_are_registered_and_pages_show_their_labels(city: City) -> None:
    publish_recent_penalty(city)
    assert set(LedgerEntry.objects.values_list("action", flat=True)) <= set(event_types())
    client = Client()
    client.force_login(city.users["credit"], backend=MODEL_BACKEND)
    record = city.records["qinhuai_penalty"]
    html = client.get(f"/archive/records/{record.pk}/").content.decode()
    assert '<span class="what" title="record.create">录入信用记录</span>' in html
    english = client.get(f"/en/archive/records/{record.pk}/").content.decode()
    assert '<span class="what" title="record.create">Record entered</span>' in english
    org = city.orgs["xuanwu"]
    assert '<span class="what" title="subject.org.create">登记单位</span>' in client.get(f"/subjects/orgs/{org.pk}/").content.decode()
