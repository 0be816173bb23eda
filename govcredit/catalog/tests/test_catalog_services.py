from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from govcredit.catalog.models import RecordType
from govcredit.catalog.services import CATALOG_FILE, CatalogError, check_definition, load_catalog


def _types() -> list[dict[str, Any]]:
    types: list[dict[str, Any]] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))["types"]
    return types


def test_catalog_file_has_every_required_type() -> None:
    assert {"行政处罚", "行政许可", "政府机构失信被执行人", "纪律处分", "问责处理", "统计造假", "违约毁约",
            "拖欠中小企业账款", "表彰奖励", "诚信教育培训"} <= {t["name"] for t in _types()}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(polarity="坏"), "性质"),
    (lambda d: d.update(disclosure="半公开"), "公开属性"),
    (lambda d: d["severities"].append({"name": "x", "min_months": 12, "max_months": 3}), "公示期无效"),
    (lambda d: d["severities"].append({"name": "y", "min_months": "三", "max_months": 3}), "公示期无效"),
    (lambda d: d["fields"].append({"key": "s", "label": "状态", "type": "text", "column": "status"}), "不能写入档案列"),
    (lambda d: d["fields"].append({"key": "k", "label": "金额", "type": "text", "column": "amount"}), "不能写入档案列"),
    (lambda d: d.update(fields=[f for f in d["fields"] if f["key"] != "decision_date"]), "decision_date"),
    (lambda d: d["fields"].append(dict(d["fields"][0])), "重复"),
    (lambda d: d["fields"].append({"key": "z", "label": "z", "type": "enum"}), "可选值"),
    (lambda d: d["fields"].append({"key": "s", "label": "程度", "type": "enum", "column": "severity",
                                   "choices": ["一个超过十个字的严重程度名称"]}), "档案列存不下"),
])
def test_bad_definitions_are_refused_in_chinese(change: Callable[[dict[str, Any]], None], message: str) -> None:
    data = copy.deepcopy(_types()[0])
    check_definition(data)
    change(data)
    with pytest.raises(CatalogError, match=message):
        check_definition(data)


@pytest.mark.django_db
def test_loading_twice_publishes_nothing_new() -> None:
    first = load_catalog()
    assert len(first) == RecordType.objects.count() == 11
    assert load_catalog() == []
