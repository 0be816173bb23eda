"""The public front door: a subject's page (rewards and dishonesty told apart), the full-name hint, and the
one public frame shared by the portal, the public statistics and open data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.testing import City

from .portal_data import code, days_ago, penalty, publish

pytestmark = pytest.mark.django_db


def _reward(city: City, org: str) -> None:
    record_decision(RecordType.objects.get(code="bzjl").current(), {
        "表彰文号": "宁委发〔2026〕3号", "表彰机关": "中共南京市委", "表彰日期": days_ago(20),
        "荣誉名称": "南京市文明单位", "表彰级别": "市级",
    }, issuing_org=city.orgs["city"], subject_org=city.orgs[org], actor="test")


@pytest.fixture
def xuanwu(city: City) -> City:
    """玄武区人民政府 with one reward and one dishonesty record (a breach of contract) on the portal."""
    _reward(city, "xuanwu")
    record_decision(RecordType.objects.get(code="wyhy").current(), {
        "认定文号": "宁财认〔2026〕9号", "认定机关": "南京市财政局", "认定日期": days_ago(15),
        "合同名称": "道路养护合同", "违约情形": "未按约定支付工程款", "严重程度": "一般",
    }, issuing_org=city.orgs["xuanwu"], subject_org=city.orgs["xuanwu"], actor="test")
    publish()
    return city


def test_subject_page_tells_rewards_and_dishonesty_apart(xuanwu: City) -> None:
    org = xuanwu.orgs["xuanwu"]
    response = Client().get(reverse("portal:subject", args=[org.credit_code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert org.name in html and org.credit_code in html
    assert 'id="count-失信">1<' in html and 'id="count-守信">1<' in html
    reward = html.index('id="group-守信"')
    dishonest = html.index('id="group-失信"')
    assert "守信激励" in html[reward:reward + 200] and "失信信息" in html[dishonest:dishonest + 200]
    assert "宁委发〔2026〕3号" in html[reward:] and "宁财认〔2026〕9号" in html[dishonest:reward]


def test_subject_page_in_english_labels_the_groups(xuanwu: City) -> None:
    html = Client().get("/en" + reverse("portal:subject", args=[xuanwu.orgs["xuanwu"].credit_code])).content.decode()
    assert "Rewards" in html and "Dishonesty records" in html


def test_subject_page_is_404_for_a_code_with_nothing_public(xuanwu: City) -> None:
    client = Client()
    assert client.get(reverse("portal:subject", args=[xuanwu.orgs["qinhuai"].credit_code])).status_code == 404
    assert client.get(reverse("portal:subject", args=["not-a-code"])).status_code == 404


def test_search_results_and_detail_link_to_the_subject(city: City) -> None:
    record = penalty(city, "玄市监罚〔2026〕401号", "南京链接测试有限公司", credit_code=code(401))
    publish()
    client = Client()
    subject_url = reverse("portal:subject", args=[record.counterparty_code])
    assert subject_url in client.get(reverse("portal:search"), {"q": "链接测试"}).content.decode()
    assert subject_url in client.get(reverse("portal:detail", args=[record.publication.pk])).content.decode()
    assert client.get(subject_url).status_code == 200


@pytest.mark.parametrize(("query", "masked"), [("张三", "张*"), ("王小明", "王*明"), ("欧阳小明", "欧**明")])
def test_a_full_name_gets_the_masking_hint(city: City, query: str, masked: str) -> None:
    html = Client().get(reverse("portal:search"), {"q": query}).content.decode()
    assert 'id="portal-name-hint"' in html and f"“{masked}”" in html


@pytest.mark.parametrize("query", ["张*三", "南京市玄武区红山", "91320102MA0000401Y", "Zhang"])
def test_other_queries_get_no_hint(city: City, query: str) -> None:
    assert 'id="portal-name-hint"' not in Client().get(reverse("portal:search"), {"q": query}).content.decode()


def test_the_front_door(city: City) -> None:
    client = Client()
    assert client.get("/").headers["Location"] == reverse("portal:landing")
    html = client.get(reverse("portal:landing")).content.decode()
    for name in ("portal:search", "portal:revoked", "statistics:public", "exchange:open_data", "accounts:login"):
        assert f'href="{reverse(name)}"' in html, name
    assert 'href="/api/docs"' in html and 'href="/en/portal/"' in html
    client.force_login(city.users["credit"])
    assert client.get("/").status_code == 200  # staff get their home page
    assert client.get(reverse("accounts:login")).headers["Location"] == reverse("core:home")


@pytest.mark.parametrize("name", ["portal:landing", "statistics:public", "exchange:open_data", "exchange:data_dictionary"])
def test_public_pages_share_the_public_frame_without_operators_things(city: City, name: str) -> None:
    client = Client()
    client.force_login(city.users["credit"])  # even for staff, a public page is the public's
    html = client.get(reverse(name)).content.decode()
    assert 'class="portal-top"' in html and 'class="mainnav"' not in html
    assert "calendar-warnings" not in html and "csrfmiddlewaretoken" not in html
