"""Records for the portal tests, made through the services (record_decision → sync) as the application makes them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.disclosure.models import Publication
from govcredit.disclosure.services import sync
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.testing import City

PERSON_ID = make_id_number("320106", dt.date(1990, 1, 1), 135)
PERSON_PHONE = "13812345678"
REP_ID = make_id_number("320102", dt.date(1975, 5, 20), 246)


def today() -> dt.date:
    return clock.today()


def days_ago(n: int) -> str:
    return (today() - dt.timedelta(days=n)).isoformat()


def code(serial: int, region: str = "320102", prefix: str = "91") -> str:
    return make_credit_code(prefix, region, f"MA{serial:07d}")


def penalty(city: City, number: str, name: str, *, kind: str = "法人及非法人组织", credit_code: str | None = None,
            facts: str = "使用超过保质期的食品原料", amount: str = "5", kinds: str = "罚款",
            authority: str = "南京市玄武区市场监督管理局", org: str = "xuanwu", decided: str | None = None,
            legal_rep: str = "", id_number: str = "", severity: str = "一般") -> CreditRecord:
    values: dict[str, Any] = {
        "行政相对人名称": name, "行政相对人类别": kind, "行政处罚决定书文号": number, "违法行为类型": "食品安全",
        "违法事实": facts, "处罚依据": "《中华人民共和国食品安全法》第一百二十四条", "处罚类别": kinds,
        "处罚内容": "罚款人民币五万元", "罚款金额（万元）": amount, "处罚决定日期": decided or days_ago(10),
        "处罚机关": authority, "处罚机关统一社会信用代码": city.orgs[org].credit_code, "严重程度": severity,
    }
    if credit_code:
        values["统一社会信用代码"] = credit_code
    if legal_rep:
        values["法定代表人"] = legal_rep
    if id_number:
        values["证件类型"] = "身份证"
        values["证件号码"] = id_number
    return record_decision(RecordType.objects.get(code="xzcf").current(), values, issuing_org=city.orgs[org],
                           actor="test")


def licence(city: City, number: str, name: str, *, credit_code: str | None = None,
            authority: str = "南京市秦淮区行政审批局", org: str = "qinhuai", decided: str | None = None) -> CreditRecord:
    values: dict[str, Any] = {
        "行政相对人名称": name, "行政相对人类别": "法人及非法人组织", "行政许可决定文书名称": "准予行政许可决定书",
        "行政许可决定文书号": number, "许可类别": "普通", "许可内容": "食品经营许可", "许可决定日期": decided or days_ago(5),
        "有效期自": days_ago(5), "有效期至": "2031-12-31", "许可机关": authority,
        "许可机关统一社会信用代码": city.orgs[org].credit_code, "当前状态": "有效",
    }
    if credit_code:
        values["统一社会信用代码"] = credit_code
    return record_decision(RecordType.objects.get(code="xzxk").current(), values, issuing_org=city.orgs[org],
                           actor="test")


def publish() -> None:
    sync(today())


def pub_of(record: CreditRecord) -> Publication:
    return Publication.objects.get(record=record)
