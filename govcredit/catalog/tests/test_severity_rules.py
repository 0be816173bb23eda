"""Issue 9: severity derived from the decision by the catalog's rules (explicit value wins elsewhere);
the rules and the earlier editions' mapping are catalog data, checked like the rest of the catalog."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from govcredit.catalog.services import CATALOG_FILE, CatalogError, check_definition, derive_severity

DOCS = Path(__file__).resolve().parents[3] / "docs" / "standards.md"
EDITIONS = CATALOG_FILE.parent / "editions.json"


def _type(code: str) -> dict[str, Any]:
    return next(t for t in json.loads(CATALOG_FILE.read_text(encoding="utf-8"))["types"] if t["code"] == code)


PENALTY = SimpleNamespace(publication=_type("xzcf")["publication"])


@pytest.mark.parametrize(("kinds", "kind", "amount", "result", "expected"), [
    (["警告"], "法人及非法人组织", None, "警告", ("轻微", "依公示规则不予公示：仅受警告处罚，不予公示")),
    (["通报批评", "警告"], "自然人", None, "", ("轻微", "依公示规则不予公示：仅受警告、通报批评处罚，不予公示")),
    (["罚款"], "自然人", "0.1", "", ("轻微", "依公示规则不予公示：仅受较低数额罚款（不超过0.1万元），不予公示")),
    (["罚款"], "自然人", "0.11", "", ("一般", "其他处罚")),
    (["罚款"], "个体工商户", "0.5", "", ("一般", "其他处罚")),
    (["罚款"], "法人及非法人组织", "1", "", ("轻微", "依公示规则不予公示：仅受较低数额罚款（不超过1万元），不予公示")),
    (["罚款", "没收违法所得"], "法人及非法人组织", "0.2", "", ("一般", "其他处罚")),
    (["罚款", "吊销许可证件"], "法人及非法人组织", "0.2", "", ("严重", "严重处罚种类")),
    (["责令停产停业"], "法人及非法人组织", None, "", ("严重", "严重处罚种类")),
    (["责令关闭"], "法人及非法人组织", None, "", ("严重", "严重处罚种类")),
    (["限制从业"], "自然人", None, "", ("严重", "严重处罚种类")),
    (["罚款", "通报批评"], "法人及非法人组织", "3", "并列入严重失信主体名单", ("严重", "列入严重失信名单")),
    ([], "法人及非法人组织", None, "", ("一般", "其他处罚")),
])
def test_severity_from_the_decision(kinds: list[str], kind: str, amount: str | None, result: str,
                                    expected: tuple[str, str]) -> None:
    derived = derive_severity(PENALTY, kinds, kind, Decimal(amount) if amount else None, result)
    assert derived is not None and (derived.severity, derived.basis) == expected


def test_types_without_rules_derive_nothing() -> None:
    assert derive_severity(SimpleNamespace(publication=_type("xzxk")["publication"]), [], "自然人", None, "") is None


@pytest.mark.parametrize(("rules", "message"), [
    ([{"name": "x", "severity": "极其严重"}], "严重程度推定规则“x”"),
    ([{"severity": "严重"}], "须有名称"),
    ([{"name": "x", "severity": "一般", "penalty_kinds": ["罚款"]}], "最后一条须无条件"),
])
def test_bad_severity_rules_refused(rules: list[dict[str, Any]], message: str) -> None:
    data = copy.deepcopy(_type("xzcf"))
    data["publication"]["severity_rules"] = rules
    with pytest.raises(CatalogError, match=message):
        check_definition(data)


def test_editions_map_to_catalog_fields_and_docs_list_every_column() -> None:
    """Every earlier-edition column maps to a field of its type (or feeds a derivation); the docs list both
    editions' columns, so a department's data officer can check an export against them."""
    docs = DOCS.read_text(encoding="utf-8")
    names = {"行政处罚": "xzcf", "行政许可": "xzxk"}
    for edition in json.loads(EDITIONS.read_text(encoding="utf-8"))["editions"]:
        keys = {f["key"] for f in _type(names[edition["type"]])["fields"]}
        fed = {n for d in edition["derive"] for n in [*d.get("join", []), d.get("copy"), d.get("when"),
                                                      d.get("organization_code_of")] if n}
        fed |= {n for d in edition["derive"] for group in d.get("kind_from_codes", {}).values() for n in group}
        for column in edition["columns"]:
            assert column.get("field") in keys or column["name"] in fed, column
            assert f"`{column['name']}`" in docs, column["name"]
        assert {d["field"] for d in edition["derive"]} <= keys
    for code in names.values():
        for spec in _type(code)["fields"]:
            assert f"`{spec['label']}`" in docs and f"`{spec['key']}`" in docs, spec["label"]
