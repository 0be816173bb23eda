"""The API tests' city: the test city (``govcredit.testing.City``) with two district market regulators added
(``add_district_bureaus``), built once per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from govcredit.conftest import city_for_class, copy_for_test
from govcredit.subjects.identifiers import make_credit_code
from govcredit.testing import (
    COUNTERPARTY_ID,
    QINHUAI_ID,
    XUANWU_ID,
    ZHANG_ID,
    City,
    add_district_bureaus,
    build_city,
    client_for,
)

FULL_IDS = (XUANWU_ID, QINHUAI_ID, ZHANG_ID, COUNTERPARTY_ID)


def credit_code(n: int, region: str = "320100") -> str:
    return make_credit_code("11", region, f"{n:09d}")


def penalty_fields(number: str, *, natural: bool = False, **extra: Any) -> dict[str, Any]:
    """Fields of a 行政处罚 (xzcf) record of 玄武区市场监督管理局, keyed by the catalog's Chinese labels."""
    fields: dict[str, Any] = {
        "行政相对人名称": "王小明" if natural else "南京某某商贸有限公司",
        "行政相对人类别": "自然人" if natural else "法人及非法人组织",
        "行政处罚决定书文号": number,
        "违法行为类型": "无照经营",
        "违法事实": "未取得营业执照从事经营活动",
        "处罚依据": "《无证无照经营查处办法》第十三条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币五千元",
        "罚款金额（万元）": "0.5",
        "处罚决定日期": "2024-03-05",
        "处罚机关": "玄武区市场监督管理局",
        "处罚机关统一社会信用代码": credit_code(31, "320102"),
        "严重程度": "一般",
    }
    if natural:
        fields.update({"证件类型": "身份证", "证件号码": COUNTERPARTY_ID})
    else:
        fields["统一社会信用代码"] = make_credit_code("91", "320102", "MA1X2Y3W4")
    fields.update(extra)
    return fields


@pytest.fixture(scope="module")
def module_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[City]:
    """Built once per test module: pytest gives a test function outside a class its own "class" scope,
    so a class-scoped city would be built again for each of them."""
    yield from city_for_class(django_db_blocker, lambda: add_district_bureaus(build_city()))


@pytest.fixture
def city(module_city: City, db: None) -> City:
    """In the API tests, ``city`` is the test city with the district bureaus, a copy for each test."""
    return copy_for_test(module_city)


def api_client(city: City, user: str, *, session: bool = False) -> Client:
    """A client of ``city.users[user]``: by API token, or by session."""
    return client_for(city.users[user], token=not session)
