"""The catalog in English: every type and field of catalog.json has an English name beside it, and the
pages and the API show it when English is asked for (the stored values stay Chinese)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from govcredit.catalog import i18n
from govcredit.catalog.services import CATALOG_FILE
from govcredit.testing import City

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_every_type_field_and_term_has_an_english_name() -> None:
    catalog = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    english = json.loads(i18n.EN_FILE.read_text(encoding="utf-8"))
    for t in catalog["types"]:
        names = english["types"][t["code"]]
        assert names["name"] and names["description"], t["code"]
        assert {f["key"] for f in t["fields"]} == set(names["fields"]), t["code"]
        assert t["source_category"] in english["terms"]
        assert all(s["name"] in english["terms"] for s in t["severities"])
        for text in (names["name"], names["description"], *names["fields"].values()):
            assert not CJK.search(text), text
    assert not any(CJK.search(text) for text in english["terms"].values())


def test_lookups_follow_the_active_language() -> None:
    assert i18n.type_name("xzcf", "行政处罚") == "行政处罚"
    with translation.override("en"):
        assert i18n.type_name("xzcf", "行政处罚") == "Administrative penalty"
        assert i18n.field_label("xzcf", "facts", "违法事实") == "Facts of the violation"
        assert i18n.field_label("xzcf", "no_such_key", "新字段") == "新字段"  # unknown: its Chinese name
        assert i18n.term("严重") == "Serious"


@pytest.mark.django_db
def test_api_names_types_in_the_language_asked_for(city: City) -> None:
    client = Client()
    client.force_login(city.users["credit"], backend="django.contrib.auth.backends.ModelBackend")
    names = {r["type_name"] for r in client.get("/api/records").json()["items"]}
    assert "纪律处分" in names
    for response in (client.get("/api/records?lang=en"), client.get("/api/records", HTTP_ACCEPT_LANGUAGE="en")):
        items = response.json()["items"]
        assert "Disciplinary sanction" in {r["type_name"] for r in items}
        assert {r["status"] for r in items} <= {"有效", "异议中", "已修复", "已撤销", "公示期满"}  # stored values
    assert client.get("/api/records?lang=xx").status_code == 200  # an unknown language changes nothing
