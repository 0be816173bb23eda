"""The portal's pages and its public JSON API: no login, 404 once withdrawn, 异议中 shown, limits enforced."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.disclosure import search
from govcredit.disclosure.services import sync
from govcredit.testing import City

from .portal_data import code, days_ago, licence, penalty, pub_of, publish, today

pytestmark = pytest.mark.urls("govcredit.disclosure.tests.urls")


@pytest.fixture
def records(city: City) -> dict[str, Any]:
    out = {
        "red": penalty(city, "玄市监罚〔2026〕301号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(31),
                       legal_rep="赵铁柱"),
        "zhang": penalty(city, "玄市监罚〔2026〕302号", "南京张三贸易有限公司", credit_code=code(32)),
        "revoked": penalty(city, "玄市监罚〔2026〕303号", "南京玄武撤销测试有限公司", credit_code=code(33)),
        "old": penalty(city, "玄市监罚〔2025〕304号", "南京玄武过期测试有限公司", credit_code=code(34),
                       decided=days_ago(400)),
        "lic": licence(city, "秦审批许〔2026〕305号", "南京秦淮老字号食品有限公司", credit_code=code(35, "320104")),
    }
    sync(today() - dt.timedelta(days=60))  # published two months ago: the old one's window has ended since
    change_status(out["revoked"], RecordStatus.REVOKED, actor="credit", reason="行政复议撤销")
    change_status(out["zhang"], RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    publish()
    return out


@pytest.mark.django_db
def test_landing_needs_no_login_and_uses_no_cdn(records: dict[str, Any]) -> None:
    response = Client().get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "信用信息公示查询" in html and 'name="q"' in html
    assert "南京市玄武区红山餐饮管理有限公司" in html  # the newest list
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # local assets only
    # No internal links: staff log in from here, nothing else of the staff side is linked.
    assert set(re.findall(r'href="(/accounts/[^"]*)"', html)) == {"/accounts/login/"} and "/archive/" not in html


@pytest.mark.django_db
def test_results_and_detail(records: dict[str, Any]) -> None:
    client = Client()
    html = client.get("/portal/search/", {"q": "玄武"}).content.decode()
    assert "南京市玄武区红山餐饮管理有限公司" in html
    assert "南京玄武撤销测试有限公司" not in html  # revoked and withdrawn
    assert "南京玄武过期测试有限公司" not in html  # window over (decided 400 days ago, 12 months)
    assert "共 1 条" in html
    pub = pub_of(records["red"])
    detail = client.get(f"/portal/{pub.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    for value in ("南京市玄武区红山餐饮管理有限公司", "玄市监罚〔2026〕301号", "使用超过保质期的食品原料", "罚款",
                  code(31), "赵*柱", "南京市玄武区市场监督管理局"):
        assert value in text, value
    assert "赵铁柱" not in text
    assert "公示中" in text and "异议中" not in text


@pytest.mark.django_db
def test_objection_is_marked_in_results_detail_and_json(records: dict[str, Any]) -> None:
    client = Client()
    html = client.get("/portal/search/", {"q": "张三"}).content.decode()
    assert re.search(r'<span class="badge s-异议中">异议中</span>', html)
    pub = pub_of(records["zhang"])
    assert 'id="portal-status">异议中' in client.get(f"/portal/{pub.pk}/").content.decode()
    data = client.get("/api/portal/search", {"q": "张三"}).json()
    assert [(i["name"], i["status"], i["objection"]) for i in data["items"]] == [("南京张三贸易有限公司", "异议中", True)]
    detail = client.get(f"/api/portal/records/{pub.pk}").json()
    assert (detail["status"], detail["objection"]) == ("异议中", True)


@pytest.mark.django_db
def test_withdrawn_expired_and_internal_records_are_404(records: dict[str, Any], city: City) -> None:
    client = Client()
    for key in ("revoked", "old"):
        pub = pub_of(records[key])
        assert not pub.is_public
        response = client.get(f"/portal/{pub.pk}/")
        assert response.status_code == 404 and "信息不存在或已撤下" in response.content.decode()
        api = client.get(f"/api/portal/records/{pub.pk}")
        assert api.status_code == 404 and "撤下" in api.json()["detail"]
    assert client.get("/portal/999999/").status_code == 404
    assert client.get("/api/portal/records/999999").status_code == 404


@pytest.mark.django_db
def test_revoked_list_shows_the_public_note(records: dict[str, Any]) -> None:
    client = Client()
    html = client.get("/portal/revoked/").content.decode()
    assert "南京玄武撤销测试有限公司" in html and "玄市监罚〔2026〕303号" in html
    assert "依法撤下公示" in html
    assert "南京玄武过期测试有限公司" not in html  # expired, not revoked
    data = client.get("/api/portal/revoked").json()
    assert [i["decision_number"] for i in data["items"]] == ["玄市监罚〔2026〕303号"]
    assert "撤销" in data["items"][0]["note"]


@pytest.mark.django_db
def test_refusals_return_400_in_chinese(records: dict[str, Any]) -> None:
    client = Client()
    cases = [({"q": "玄"}, "至少输入两个字"), ({"q": "玄" * 51}, "不能超过 50 个字符"),
             ({"number": "x" * 5000}, "不能超过 50 个字符"), ({"from": "昨天"}, "应为日期")]
    for params, message in cases:
        page = client.get("/portal/search/", params)
        assert page.status_code == 400 and message in page.content.decode()
        api = client.get("/api/portal/search", params)
        assert api.status_code == 400 and message in api.json()["detail"]
    assert client.get("/api/portal/search", {"q": "玄武", "page": "51"}).status_code == 400


@pytest.mark.django_db
def test_deep_pages_are_clamped_with_a_note(records: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search.form, "PER_PAGE", 1)
    monkeypatch.setattr(search.form, "MAX_PAGES", 2)
    monkeypatch.setattr(search.form, "MAX_RESULTS", 2)
    client = Client()
    html = client.get("/portal/search/", {"q": "有限", "page": "5000"}).content.decode()
    assert "最多显示前" in html and "超过 2 条" in html
    assert 'aria-current="page">2<' in html
    assert "page=3" not in html
    data = client.get("/api/portal/search", {"q": "有限", "page": "2"}).json()
    assert (data["count"], data["capped"], data["pages"], len(data["items"])) == (2, True, 2, 1)
    assert client.get("/api/portal/search", {"q": "有限", "page": "3"}).status_code == 400


@pytest.mark.django_db
def test_search_is_rate_limited_per_address(records: dict[str, Any], settings: Any) -> None:
    settings.GOVCREDIT_PORTAL_RATE = "3/m"
    settings.GOVCREDIT_PORTAL_DETAIL_RATE = "2/m"
    one, other = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert [one.get("/portal/search/", {"q": "玄武"}).status_code for _ in range(3)] == [200, 200, 200]
    limited = one.get("/portal/search/", {"q": "玄武"})
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    assert 1 <= int(limited["Retry-After"]) <= 60
    api = one.get("/api/portal/search", {"q": "玄武"})  # pages and JSON share the budget
    assert api.status_code == 429 and "查询过于频繁" in api.json()["detail"]
    assert other.get("/portal/search/", {"q": "玄武"}).status_code == 200
    pub = pub_of(records["red"])
    assert [one.get(f"/portal/{pub.pk}/").status_code for _ in range(3)] == [200, 200, 429]
    settings.GOVCREDIT_PORTAL_RATE = "0"  # 0 switches it off
    assert one.get("/portal/search/", {"q": "玄武"}).status_code == 200


@pytest.mark.django_db
def test_rate_limit_behind_a_proxy_uses_forwarded_address(records: dict[str, Any], settings: Any) -> None:
    settings.GOVCREDIT_PORTAL_RATE = "1/m"
    settings.GOVCREDIT_PROXIES = 1
    proxy = Client(REMOTE_ADDR="10.0.0.254")
    assert proxy.get("/portal/search/", {"q": "玄武"}, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert proxy.get("/portal/search/", {"q": "玄武"}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200
    assert proxy.get("/portal/search/", {"q": "玄武"}, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.1.1.1").status_code == 429


@pytest.mark.django_db
def test_json_api_is_public_and_matches_the_pages(records: dict[str, Any]) -> None:
    client = Client()
    data = client.get("/api/portal/search", {"q": "红山"}).json()
    assert data["count"] == 1 and data["capped"] is False and data["page"] == 1
    item = data["items"][0]
    assert item["name"] == "南京市玄武区红山餐饮管理有限公司" and item["credit_code"] == code(31)
    detail = client.get(f"/api/portal/records/{item['id']}").json()
    labels = {f["label"]: f["value"] for f in detail["fields"]}
    assert labels["法定代表人"] == "赵*柱" and labels["行政处罚决定书文号"] == "玄市监罚〔2026〕301号"
    assert "证件号码" not in labels
    schema = client.get("/api/openapi.json").json()
    assert "/api/portal/search" in schema["paths"] and "security" not in schema["paths"]["/api/portal/search"]["get"]


@pytest.mark.django_db
@pytest.mark.urls("govcredit.urls")
def test_the_real_site_serves_the_portal(records: dict[str, Any]) -> None:
    client = Client()
    assert client.get(reverse("portal:landing")).status_code == 200
    assert client.get(reverse("portal:search"), {"q": "红山"}).status_code == 200
    assert client.get(reverse("portal:detail", args=[pub_of(records["red"]).pk])).status_code == 200
    assert client.get(reverse("portal:revoked")).status_code == 200
