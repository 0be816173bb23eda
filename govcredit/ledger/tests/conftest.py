"""A small ledgered world, made only through the services (ledgered models refuse direct writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType, RecordTypeVersion
from govcredit.catalog.services import load_catalog
from govcredit.ledger.models import LedgerEntry, LedgerHead
from govcredit.ledger.verification import Report
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant, Organization, PostAssignment
from govcredit.subjects.services import register_civil_servant, register_organization

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


@dataclass
class World:
    city: Organization
    dept: Organization
    person: CivilServant
    post: PostAssignment
    record_type: RecordType
    version: RecordTypeVersion
    discipline: CreditRecord  # two entries: created, then 异议中
    penalty: CreditRecord  # created last: the newest entry of the world

    def rows(self) -> dict[str, Any]:
        return {"organization": self.dept, "civil_servant": self.person, "post": self.post,
                "record_type": self.record_type, "version": self.version, "record": self.discipline}


@pytest.fixture
def world(db: Any) -> World:
    load_catalog()
    city = register_organization(name="南京市人民政府", credit_code=make_credit_code("11", "320100", "000000001"),
                                 org_type="机关", region_code="320100", parent=None, actor="fixture")
    dept = register_organization(name="南京市玄武区市场监督管理局", credit_code=make_credit_code("11", "320102", "000000031"),
                                 org_type="机关", region_code="320102", parent=city, actor="fixture")
    person = register_civil_servant(name="王小明", id_number=make_id_number("320102", dt.date(1985, 6, 15), 123),
                                    employer=dept, post="科员", rank="一级科员", start_date=dt.date(2015, 7, 1),
                                    actor="fixture")
    jlcf = RecordType.objects.get(code="jlcf")
    discipline = record_decision(jlcf.current(), DISCIPLINE, issuing_org=dept, subject_person=person, actor="clerk")
    change_status(discipline, RecordStatus.OBJECTION, actor="clerk", reason="收到异议申请")
    xzcf = RecordType.objects.get(code="xzcf").current()
    fine = record_decision(xzcf, penalty("玄市监罚〔2025〕12号", dept.credit_code), issuing_org=dept, actor="clerk")
    return World(city=city, dept=dept, person=person, post=person.posts.get(), record_type=jlcf,
                 version=jlcf.current(), discipline=discipline, penalty=fine)


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
