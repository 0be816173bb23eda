"""The shared query API: per-department tokens, catalog disclosure scoping, and the query log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.accounts.services import issue_token
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import Disclosure, RecordType
from govcredit.exchange import selectors
from govcredit.exchange.models import SharedQueryLog
from govcredit.statistics.tests.factories import PERSON_ID, company_code, penalty
from govcredit.testing import COUNTERPARTY_ID, XUANWU_ID, City, streamed

pytestmark = [pytest.mark.django_db, pytest.mark.urls("govcredit.exchange.tests.urls")]
URL = "/api/exchange/records"


def _token(city: City, role: str) -> dict[str, str]:
    _, key = issue_token(city.users[role], f"{role} 共享查询")
    return {"Authorization": f"Bearer {key}"}


def test_department_token_finds_public_records_and_the_call_is_logged(city: City) -> None:
    penalty(city, "scjg", "宁市监罚〔2026〕31号", "2026-03-02", serial=31)
    response = Client().get(URL, {"credit_code": company_code(31), "purpose": "评优评先资格审查"},
                            headers=_token(city, "submitter"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["decision_number"] == "宁市监罚〔2026〕31号"
    assert body["items"][0]["disclosure"] == "公开" and body["items"][0]["issuing_org"] == "南京市市场监督管理局"
    log = SharedQueryLog.objects.get()
    assert log.user == city.users["submitter"] and log.organization == city.orgs["scjg"]
    assert log.purpose == "评优评先资格审查" and log.result_count == 1 and log.auth_method == "token"
    assert log.params["credit_code"] == company_code(31) and log.role == "submitter"


def test_internal_records_only_for_the_credit_office(city: City) -> None:
    query = {"name": "王小明", "purpose": "干部任用审查"}  # 纪律处分 (内部) about a civil servant
    other = Client().get(URL, query, headers=_token(city, "personnel")).json()
    assert other["count"] == 0
    credit = Client().get(URL, query, headers=_token(city, "credit")).json()
    assert credit["count"] == 1 and credit["items"][0]["disclosure"] == "内部"
    assert credit["items"][0]["id_number_masked"] != XUANWU_ID and XUANWU_ID[-4:] in credit["items"][0]["id_number_masked"]
    assert list(SharedQueryLog.objects.order_by("id").values_list("result_count", flat=True)) == [0, 1]
    assert selectors.visible_levels(city.users["district"]) == (Disclosure.PUBLIC, Disclosure.SHARED)
    assert selectors.visible_levels(city.users["subject"]) == ()


def test_natural_persons_are_masked(city: City) -> None:
    penalty(city, "scjg", "宁市监罚〔2026〕32号", "2026-03-03", kind="自然人")
    for number in ("宁市监罚〔2026〕32号", "秦市监罚〔2025〕12号"):
        response = Client().get(URL, {"decision_number": number, "purpose": "联合奖惩核查"}, headers=_token(city, "personnel"))
        text = response.content.decode()
        assert response.json()["count"] == 1
        assert PERSON_ID not in text and COUNTERPARTY_ID not in text
        assert response.json()["items"][0]["subject_name"] in {"王*小", "张*丰"}


def _statistics_fraud(city: City, org: str, person: str, number: str) -> CreditRecord:
    """A 统计造假 record (disclosed 公开) about a civil servant, issued by ``org``."""
    version = RecordType.objects.get(code="tjzj").current()
    return record_decision(version, {"认定文号": number, "认定机关": city.orgs[org].name, "认定日期": "2026-03-02",
                                     "统计违法事实": "篡改统计数据", "处理结果": "通报", "严重程度": "一般"},
                           issuing_org=city.orgs[org], subject_person=city.people[person], actor="test")


def test_district_sees_only_its_own_scope_as_through_the_records_api(city: City) -> None:
    """One scope for every read path: what GET /api/records/<id> hides, the shared query does not find."""
    other = _statistics_fraud(city, "qinhuai", "qinhuai", "秦统认〔2026〕1号")
    own = _statistics_fraud(city, "xuanwu", "xuanwu", "玄统认〔2026〕1号")
    district = _token(city, "district")
    assert Client().get(f"/api/records/{other.pk}", headers=district).status_code == 404
    for query in ({"name": "李秦淮"}, {"decision_number": "秦统认〔2026〕1号"}, {"credit_code": city.orgs["qinhuai"].credit_code},
                  {"decision_number": "秦市监罚〔2025〕12号"}):
        body = Client().get(URL, {**query, "purpose": "干部任用审查"}, headers=district).json()
        assert body["count"] == 0, query
    mine = Client().get(URL, {"name": "王小明", "purpose": "干部任用审查"}, headers=district).json()
    assert [i["id"] for i in mine["items"]] == [own.pk]
    assert Client().get(f"/api/records/{own.pk}", headers=district).status_code == 200
    city_wide = Client().get(URL, {"name": "李秦淮", "purpose": "干部任用审查"}, headers=_token(city, "personnel")).json()
    assert [i["id"] for i in city_wide["items"]] == [other.pk]


def test_personal_data_inside_text_is_masked(city: City) -> None:
    spaced = " ".join(PERSON_ID[i:i + 4] for i in range(0, 18, 4))
    penalty(city, "scjg", f"宁市监罚〔2026〕33号（{spaced}）", "2026-03-03", kind="自然人",
            处罚机关="南京市市场监督管理局（联系人138.2222.3333）", 处罚内容="王二小罚款，电话１３９－１１１１－２２２２")
    body = Client().get(URL, {"credit_code": "", "name": "王二小", "purpose": "联合奖惩核查"},
                        headers=_token(city, "personnel")).json()
    item = next(i for i in body["items"] if "33号" in i["decision_number"])
    assert item["decision_number"] == "宁市监罚〔2026〕33号（3201**********" + PERSON_ID[-4:] + "）"
    assert item["authority_name"] == "南京市市场监督管理局（联系人138****3333）"
    assert item["result"] == "王*小罚款，电话139****2222"


def test_refusals(city: City) -> None:
    assert Client().get(URL, {"credit_code": "x", "purpose": "核查"}).status_code == 401
    for role in ("public", "subject", "thirdparty"):
        assert Client().get(URL, {"credit_code": "x", "purpose": "核查"}, headers=_token(city, role)).status_code == 403
    no_purpose = Client().get(URL, {"credit_code": company_code(1)}, headers=_token(city, "submitter"))
    assert no_purpose.status_code == 422
    browsing = Client().get(URL, {"purpose": "看看"}, headers=_token(city, "submitter"))
    assert browsing.status_code == 422 and "至少提供" in browsing.json()["errors"][0]["message"]
    assert SharedQueryLog.objects.count() == 0


def test_log_page_for_the_credit_office_only(city: City) -> None:
    Client().get(URL, {"credit_code": company_code(9), "purpose": "招标投标信用审查"}, headers=_token(city, "submitter"))
    url = reverse("exchange:query_log")
    assert Client().get(url).status_code == 302
    submitter = Client()
    submitter.force_login(city.users["submitter"])
    assert submitter.get(url).status_code == 403
    credit = Client()
    credit.force_login(city.users["credit"])
    page = credit.get(url).content.decode()
    assert "招标投标信用审查" in page and "南京市市场监督管理局" in page and company_code(9) in page


def test_log_sorts_and_exports_what_the_page_shows(city: City) -> None:
    import io

    from openpyxl import load_workbook

    for i, purpose in enumerate(["乙事由", "甲事由"]):
        Client().get(URL, {"credit_code": company_code(20 + i), "purpose": purpose}, headers=_token(city, "submitter"))
    credit = Client()
    credit.force_login(city.users["credit"])
    url = reverse("exchange:query_log")
    rows = credit.get(url, {"sort": "time"}).context["table"].rows
    assert [r[5].text for r in rows] == ["乙事由", "甲事由"]
    response = credit.get(url, {"sort": "-time", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(streamed(response)), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][5] == "事由" and [v[5] for v in values[1:]] == ["甲事由", "乙事由"]
