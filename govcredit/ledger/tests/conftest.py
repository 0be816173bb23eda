"""The ledger tests' city: the test city (``govcredit.testing``) with the district bureaus and a little ledger
history added, built once per test module; and helpers to tamper with the database behind the application."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.db import connection

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType
from govcredit.conftest import city_for_class, copy_for_test
from govcredit.ledger.models import LedgerEntry, LedgerHead
from govcredit.ledger.verification import Report
from govcredit.subjects.identifiers import make_credit_code
from govcredit.testing import City, add_district_bureaus, build_city

DISCIPLINE = {"处分决定文号": "玄纪〔2024〕9号", "处分机关": "玄武区纪委监委", "处分决定日期": "2024-02-29",
              "处分种类": "记过", "违纪违法事实": "违规接受宴请", "严重程度": "严重"}


def penalty(number: str, authority_code: str) -> dict[str, str]:
    return {
        "行政相对人名称": "南京某某贸易有限公司", "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": make_credit_code("91", "320102", "MA1X2Y3W4"), "行政处罚决定书文号": number,
        "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营活动", "处罚依据": "《无证无照经营查处办法》第十三条",
        "处罚类别": "罚款", "处罚内容": "罚款人民币五千元", "罚款金额（万元）": "0.5", "处罚决定日期": "2025-06-01",
        "处罚机关": "南京市玄武区市场监督管理局", "处罚机关统一社会信用代码": authority_code, "严重程度": "一般",
    }


def add_ledger_history(city: City) -> City:
    """The ledger tests' additions to the test city (with ``add_district_bureaus``): ``objected_discipline``, a
    discipline of 王小明 by 玄武区市场监督管理局 with two entries (created, then 异议中), and ``newest_penalty``, a
    penalty of that bureau about a company, created last: the newest entry of the city."""
    add_district_bureaus(city)
    bureau = city.orgs["xuanwu_scjg"]
    jlcf = RecordType.objects.get(code="jlcf")
    discipline = record_decision(jlcf.current(), DISCIPLINE, issuing_org=bureau, subject_person=city.people["xuanwu"],
                                 actor="clerk")
    city.records["objected_discipline"] = change_status(discipline, RecordStatus.OBJECTION, actor="clerk",
                                                        reason="收到异议申请")
    xzcf = RecordType.objects.get(code="xzcf").current()
    city.records["newest_penalty"] = record_decision(xzcf, penalty("玄市监罚〔2025〕12号", bureau.credit_code),
                                                     issuing_org=bureau, actor="clerk")
    return city


def ledger_rows(city: City) -> dict[str, Any]:
    """One row of each ledgered model the tests tamper with."""
    person = city.people["xuanwu"]
    jlcf = RecordType.objects.get(code="jlcf")
    return {"organization": city.orgs["xuanwu_scjg"], "civil_servant": person, "post": person.posts.get(),
            "record_type": jlcf, "version": jlcf.current(), "record": city.records["objected_discipline"]}


@pytest.fixture(scope="module")
def module_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[City]:
    """Built once per test module (see ``api/tests/conftest.py``)."""
    yield from city_for_class(django_db_blocker, lambda: add_ledger_history(build_city()))


@pytest.fixture
def ledger_city(module_city: City, db: None) -> City:
    """The test city with the ledger's additions, a copy for each test."""
    return copy_for_test(module_city)


@pytest.fixture
def fresh_city() -> City:
    """The same city built for one test, for a test that needs it committed (``transaction=True``, run
    by other connections) and for the other tests of its module, which must not keep an outer transaction
    open across it."""
    return add_ledger_history(build_city())


def sql(query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Raw SQL behind the application's back, as an intruder with database access would write it."""
    with connection.cursor() as cur:
        cur.execute(query, list(params))
        return cur.fetchall() if cur.description else []


def last_seq() -> int:
    return LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]


def head() -> LedgerHead:
    return LedgerHead.objects.get(id=1)


def kinds(report: Report) -> list[str]:
    return sorted(f.kind for f in report.findings)
