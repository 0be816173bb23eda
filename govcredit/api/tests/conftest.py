"""A small city for the API tests, made through the services (ledgered models refuse direct saves).

    南京市人民政府 (city)
    ├── 市发展和改革委员会   ← credit_office user
    ├── 市委组织部           ← personnel user
    ├── 玄武区人民政府       ← district user
    │   └── 玄武区市场监督管理局  ← submitter user, subject user (org); 张玄武 works here
    └── 秦淮区人民政府
        └── 秦淮区市场监督管理局  ← 李秦淮 works here
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from govcredit.accounts.models import Role, User
from govcredit.accounts.services import create_user, issue_token
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import load_catalog
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant, Organization, OrgType
from govcredit.subjects.services import register_civil_servant, register_organization

PASSWORD = "correct-horse-battery-9"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

PERSON_A_ID = make_id_number("320102", dt.date(1980, 5, 17), 123)
PERSON_B_ID = make_id_number("320104", dt.date(1975, 11, 2), 456)
COUNTERPARTY_ID = make_id_number("320106", dt.date(1990, 1, 9), 789)
FULL_IDS = (PERSON_A_ID, PERSON_B_ID, COUNTERPARTY_ID)


def credit_code(n: int, region: str = "320100") -> str:
    return make_credit_code("11", region, f"{n:09d}")


def penalty_fields(number: str, *, natural: bool = False, **extra: Any) -> dict[str, Any]:
    """Fields of a 行政处罚 (xzcf) record, keyed by the catalog's Chinese labels."""
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


@dataclass
class World:
    city: Organization
    dev: Organization
    organisation_dept: Organization
    district_a: Organization
    dept_a: Organization
    district_b: Organization
    dept_b: Organization
    person_a: CivilServant
    person_b: CivilServant
    record_a: CreditRecord  # xzcf by dept_a about a natural person (counterparty)
    record_b: CreditRecord  # xzcf by dept_b about a company
    record_org_a: CreditRecord  # wzcl about dept_a, issued by district_a
    record_person_b: CreditRecord  # jlcf about person_b, issued by district_b
    users: dict[str, User]

    def client(self, role: str, *, session: bool = False) -> Client:
        """A client authenticated as the user of ``role``: by API token, or by session."""
        user = self.users[role]
        if session:
            client = Client()
            client.force_login(user, backend=MODEL_BACKEND)
            return client
        _, key = issue_token(user, f"测试 {role}")
        return Client(headers={"authorization": f"Bearer {key}"})


def _org(name: str, n: int, parent: Organization | None, region: str = "320100",
         org_type: str = OrgType.GOVERNMENT) -> Organization:
    return register_organization(name=name, credit_code=credit_code(n, region), org_type=org_type,
                                 region_code=region, parent=parent, actor="fixture")


@pytest.fixture
def world(db: Any) -> World:
    load_catalog()
    city = _org("南京市人民政府", 1, None)
    dev = _org("南京市发展和改革委员会", 2, city)
    organisation_dept = _org("中共南京市委组织部", 3, city)
    district_a = _org("玄武区人民政府", 21, city, "320102")
    dept_a = _org("玄武区市场监督管理局", 31, district_a, "320102")
    district_b = _org("秦淮区人民政府", 22, city, "320104")
    dept_b = _org("秦淮区市场监督管理局", 32, district_b, "320104")

    person_a = register_civil_servant(name="张玄武", id_number=PERSON_A_ID, employer=dept_a, post="科长",
                                      rank="一级主任科员", start_date=dt.date(2015, 7, 1), actor="fixture")
    person_b = register_civil_servant(name="李秦淮", id_number=PERSON_B_ID, employer=dept_b, post="副局长",
                                      start_date=dt.date(2012, 3, 1), actor="fixture")

    xzcf = RecordType.objects.get(code="xzcf").current()
    record_a = record_decision(xzcf, penalty_fields("玄市监罚〔2024〕1号", natural=True), issuing_org=dept_a,
                               actor="fixture")
    record_b = record_decision(xzcf, penalty_fields("秦市监罚〔2024〕7号", 处罚机关="秦淮区市场监督管理局",
                                                    处罚决定日期="2024-06-01"),
                               issuing_org=dept_b, actor="fixture")
    wzcl = RecordType.objects.get(code="wzcl").current()
    record_org_a = record_decision(wzcl, {"问责决定文号": "玄委问〔2023〕2号", "问责机关": "玄武区人民政府",
                                          "问责决定日期": "2023-10-08", "问责方式": "通报", "问责事由": "履职不力"},
                                   issuing_org=district_a, subject_org=dept_a, actor="fixture")
    jlcf = RecordType.objects.get(code="jlcf").current()
    record_person_b = record_decision(jlcf, {"处分决定文号": "秦纪处〔2022〕5号", "处分机关": "秦淮区纪委",
                                             "处分决定日期": "2022-12-20", "处分种类": "警告",
                                             "违纪违法事实": "违反工作纪律", "严重程度": "一般"},
                                      issuing_org=district_b, subject_person=person_b, actor="fixture")

    users = {
        "credit_office": create_user("credit", PASSWORD, role=Role.CREDIT_OFFICE, organization=dev),
        "personnel": create_user("personnel", PASSWORD, role=Role.PERSONNEL, organization=organisation_dept),
        "district": create_user("xuanwu", PASSWORD, role=Role.DISTRICT, organization=district_a),
        "submitter": create_user("xuanwu_scjg", PASSWORD, role=Role.SUBMITTER, organization=dept_a),
        "subject_org": create_user("xuanwu_scjg_self", PASSWORD, role=Role.SUBJECT, organization=dept_a),
        "subject_person": create_user("zhang", PASSWORD, role=Role.SUBJECT, organization=dept_a,
                                      civil_servant=person_a),
        "public": create_user("citizen", PASSWORD, role=Role.PUBLIC, organization=None),
        "third_party": create_user("assessor", PASSWORD, role=Role.THIRD_PARTY, organization=None),
    }
    return World(city, dev, organisation_dept, district_a, dept_a, district_b, dept_b, person_a, person_b,
                 record_a, record_b, record_org_a, record_person_b, users)
