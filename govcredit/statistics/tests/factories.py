"""Licensing and penalty decisions and their publications for the statistics and exchange tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.disclosure.models import Publication
from govcredit.disclosure.rules import public_name
from govcredit.ledger.services import create_with_entries, update_with_entries
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.testing import City

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSON_ID = make_id_number("320102", dt.date(1988, 8, 8), 321)


def company_code(serial: int) -> str:
    return make_credit_code("91", "320100", f"{serial:09d}")


def penalty(city: City, org: str, number: str, decided: str | dt.date, *, kind: str = "法人及非法人组织",
            kinds: str = "罚款", amount: str = "5", name: str = "", serial: int = 1, **extra: Any) -> CreditRecord:
    issuer = city.orgs[org]
    values: dict[str, Any] = {
        "行政相对人名称": name or ("王二小" if kind == "自然人" else f"南京某某贸易有限公司{serial}"),
        "行政相对人类别": kind, "行政处罚决定书文号": number, "违法行为类型": "价格违法",
        "违法事实": "未明码标价", "处罚依据": "《中华人民共和国价格法》第四十二条", "处罚类别": kinds,
        "处罚内容": "罚款", "罚款金额（万元）": amount, "处罚决定日期": str(decided), "处罚机关": f"{issuer.name}",
        "处罚机关统一社会信用代码": issuer.credit_code, "严重程度": "一般",
    }
    if kind == "自然人":
        values.update({"证件类型": "身份证", "证件号码": PERSON_ID})
    else:
        values.update({"统一社会信用代码": company_code(serial), "法定代表人": "赵大"})
    values.update(extra)
    return record_decision(RecordType.objects.get(code="xzcf").current(), values, issuing_org=issuer, actor="test")


def licence(city: City, org: str, number: str, decided: str | dt.date, *, serial: int = 50, **extra: Any) -> CreditRecord:
    issuer = city.orgs[org]
    decided_date = dt.date.fromisoformat(str(decided))
    values: dict[str, Any] = {
        "行政相对人名称": f"南京某某餐饮有限公司{serial}", "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": company_code(serial), "法定代表人": "钱二", "行政许可决定文书名称": "食品经营许可决定书",
        "行政许可决定文书号": number, "许可类别": "普通", "许可证书名称": "食品经营许可证", "许可编号": f"JY{serial:06d}",
        "许可内容": "预包装食品销售", "许可决定日期": str(decided), "有效期自": str(decided),
        "有效期至": str(decided_date.replace(year=decided_date.year + 5)), "许可机关": issuer.name,
        "许可机关统一社会信用代码": issuer.credit_code, "当前状态": "有效",
    }
    values.update(extra)
    return record_decision(RecordType.objects.get(code="xzxk").current(), values, issuing_org=issuer, actor="test")


def publish(record: CreditRecord, on: str | dt.date, *, hour: int = 10) -> Publication:
    """Publish ``record`` as if the portal had done it at ``hour`` o'clock local time on ``on``."""
    day = dt.date.fromisoformat(str(on))
    at = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)
    assert record.publicity_end is not None
    pub = Publication(record=record, published_at=at, visible_until=record.publicity_end, public_name=public_name(record),
                      credit_code=record.counterparty_code, decision_number=record.decision_number,
                      authority_name=record.authority_name, type_name=record.record_type.name,
                      decision_date=record.decision_date)
    create_with_entries(Publication, [pub], actor="test", action="disclosure.publish", reason="测试公示")
    return pub


def change_data(record: CreditRecord, **changes: Any) -> CreditRecord:
    """Rewrite stored values behind validation (as an old import might have left them); None removes a key."""
    data = dict(record.data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    record.data = data
    record.updated_at = clock.now()
    update_with_entries(CreditRecord, [record], ["data", "updated_at"], actor="test", action="record.correct",
                        reason="测试：模拟历史数据")
    return record
