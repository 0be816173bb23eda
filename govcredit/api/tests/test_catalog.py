"""The catalog through the API: reading types and versions, publishing a version (credit office only)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from govcredit.catalog.models import RecordTypeVersion
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City

from .conftest import api_client

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_list_and_detail(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    types = client.get("/api/catalog/types")
    assert types.status_code == 200
    codes = [t["code"] for t in types.json()]
    assert codes[:2] == ["xzcf", "xzxk"] and "jlcf" in codes
    detail = client.get("/api/catalog/types/jlcf").json()
    assert detail["name"] == "纪律处分"
    assert detail["current"]["version"] == 1
    assert [s["name"] for s in detail["current"]["severities"]] == ["一般", "严重"]
    assert detail["current"]["fields"][0] == {"key": "decision_number", "label": "处分决定文号", "type": "text",
                                              "required": True, "choices": [], "aliases": [],
                                              "column": "decision_number", "max_length": None, "national": True}
    assert [v["version"] for v in detail["versions"]] == [1]
    assert client.get("/api/catalog/types/nope").status_code == 404
    assert client.get("/api/catalog/types/jlcf/versions/1").json()["version"] == 1
    assert client.get("/api/catalog/types/jlcf/versions/2").status_code == 404


def _definition(client: Any, code: str) -> dict[str, Any]:
    current = client.get(f"/api/catalog/types/{code}").json()["current"]
    keys = ("polarity", "source_category", "disclosure", "subject_kinds", "severities", "fields", "submitters",
            "batch_mode", "double_publicity", "description")
    return copy.deepcopy({k: current[k] for k in keys})


def test_publish_version(city: City) -> None:
    client = api_client(city, "credit")
    definition = _definition(client, "wzcl")
    definition["fields"].append({"key": "leader", "label": "分管领导", "type": "text", "required": False})
    definition["severities"].append({"name": "严重", "min_months": 6, "max_months": 24, "publish": False})
    before = LedgerEntry.objects.count()
    response = client.post("/api/catalog/types/wzcl/versions", {**definition, "reason": "增加分管领导字段"},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["created_by"] == "credit"
    assert body["fields"][-1]["label"] == "分管领导"
    assert LedgerEntry.objects.count() == before + 1
    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "catalog.publish"
    detail = client.get("/api/catalog/types/wzcl").json()
    assert detail["current"]["version"] == 2
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    # the old record keeps version 1; new records use version 2 and accept the new field
    assert client.get(f"/api/records/{city.records['xuanwu_scjg_accountability'].pk}").json()["type_version"] == 1
    new = client.post("/api/records", {"type": "wzcl", "issuing_org": city.orgs["xuanwu"].pk,
                                       "subject_org": city.orgs["xuanwu_scjg"].pk,
                                       "fields": {"问责决定文号": "x", "问责机关": "x", "问责决定日期": "2024-01-02",
                                                  "问责方式": "检查", "问责事由": "x", "分管领导": "孙某"}},
                      content_type=JSON)
    assert new.status_code == 201, new.content
    assert new.json()["type_version"] == 2
    assert new.json()["fields"]["分管领导"] == "孙某"


def test_only_credit_office_publishes(city: City) -> None:
    definition = _definition(api_client(city, "credit"), "wzcl")
    for role in ("district", "xuanwu_scjg", "personnel"):
        response = api_client(city, role).post("/api/catalog/types/wzcl/versions", definition, content_type=JSON)
        assert response.status_code == 403
    assert RecordTypeVersion.objects.filter(record_type__code="wzcl").count() == 1


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["severities"].__setitem__(0, {"name": "一般", "min_months": 12, "max_months": 3, "publish": True}),
     ""),
    (lambda d: d["fields"].append({**d["fields"][-1]}), ""),
    (lambda d: d["fields"].append({"key": "x", "label": "状态", "type": "text", "column": "status"}), ""),
    (lambda d: d["fields"].append({"key": "y", "label": "类别", "type": "enum"}), ""),
    (lambda d: d.__setitem__("fields", [f for f in d["fields"] if f["key"] != "decision_date"]), ""),
    (lambda d: d.__setitem__("polarity", "坏"), "polarity"),
    (lambda d: d.__setitem__("submitters", ["123"]), "submitters"),
    (lambda d: d["fields"].append({"key": "Bad Key", "label": "z", "type": "text"}), "fields.5.key"),
])
def test_invalid_definition_is_422_and_writes_nothing(city: City, change: Any, field: str) -> None:
    client = api_client(city, "credit")
    definition = _definition(client, "wzcl")
    change(definition)
    before = LedgerEntry.objects.count()
    response = client.post("/api/catalog/types/wzcl/versions", definition, content_type=JSON)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors and errors[0]["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0]["message"])
    assert LedgerEntry.objects.count() == before
    assert RecordTypeVersion.objects.filter(record_type__code="wzcl").count() == 1
