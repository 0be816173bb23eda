"""Organisations and civil servants through the API: filters, paging, writes, and 422s that write nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from govcredit.ledger.models import LedgerEntry
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.models import CivilServant, Organization
from govcredit.testing import ZHANG_ID, City

from .conftest import api_client, credit_code

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
JSON = "application/json"


def test_org_filters(city: City) -> None:
    client = api_client(city, "credit")
    assert [o["name"] for o in client.get("/api/subjects/orgs?q=市场监督").json()["items"]] == [
        "南京市市场监督管理局", "玄武区市场监督管理局", "秦淮区市场监督管理局"]
    by_code = client.get(f"/api/subjects/orgs?credit_code={city.orgs['qinhuai_scjg'].credit_code.lower()}").json()
    assert [o["id"] for o in by_code["items"]] == [city.orgs["qinhuai_scjg"].pk]
    children = client.get(f"/api/subjects/orgs?parent={city.orgs['city'].pk}").json()
    assert children["count"] == 5
    assert client.get("/api/subjects/orgs?region_code=320104").json()["count"] == 2
    assert client.get("/api/subjects/orgs?org_type=机关").json()["count"] == 8
    assert client.get("/api/subjects/orgs?org_type=街道").json()["count"] == 1


def test_pagination_totals(city: City) -> None:
    client = api_client(city, "credit")
    first = client.get("/api/subjects/orgs?page_size=3").json()
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (9, 1, 3, 3)
    third = client.get("/api/subjects/orgs?page_size=3&page=3").json()
    assert (third["count"], len(third["items"])) == (9, 3)
    beyond = client.get("/api/subjects/orgs?page_size=3&page=9").json()
    assert (beyond["count"], beyond["items"]) == (9, [])
    every = {o["id"] for page in (1, 2, 3) for o in client.get(f"/api/subjects/orgs?page_size=3&page={page}").json()["items"]}
    assert len(every) == 9
    default = client.get("/api/records").json()
    assert default["count"] == 6 and default["page_size"] == 50
    records = client.get("/api/records?page_size=1&page=2").json()
    assert records["count"] == 6 and len(records["items"]) == 1
    # the district's totals count only its scope
    assert api_client(city, "district").get("/api/subjects/orgs?page_size=1").json()["count"] == 3


@pytest.mark.parametrize("query", ["page=0", "page_size=0", "page_size=101", "page=abc", "page=501"])
def test_bad_paging_is_422_in_chinese(city: City, query: str) -> None:
    response = api_client(city, "credit").get(f"/api/subjects/orgs?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "输入有误"
    assert body["errors"][0]["field"] in {"page", "page_size"}
    assert CJK.search(body["errors"][0]["message"])


def test_district_registers_and_edits_in_its_subtree(city: City) -> None:
    client = api_client(city, "district")
    before = LedgerEntry.objects.count()
    code = credit_code(41, "320102")
    created = client.post("/api/subjects/orgs", {"name": "玄武区梅园新村街道办事处", "credit_code": code,
                                                  "org_type": "街道", "region_code": "320102",
                                                  "parent": city.orgs["xuanwu"].pk, "reason": "新设"},
                          content_type=JSON)
    assert created.status_code == 201, created.content
    org = created.json()
    assert org["parent"] == {"id": city.orgs["xuanwu"].pk, "name": "南京市玄武区人民政府"}
    assert org["depth"] == 2
    assert LedgerEntry.objects.count() == before + 1

    renamed = client.patch(f"/api/subjects/orgs/{org['id']}", {"name": "梅园新村街道", "reason": "规范名称"},
                           content_type=JSON)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "梅园新村街道"
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.reason) == ("subject.org.update", "district", "规范名称")

    deactivated = client.patch(f"/api/subjects/orgs/{org['id']}", {"is_active": False, "reason": "撤并"},
                               content_type=JSON)
    assert deactivated.json()["is_active"] is False
    assert client.get("/api/subjects/orgs?is_active=false").json()["count"] == 1


def test_org_write_422s_write_nothing(city: City) -> None:
    client = api_client(city, "credit")
    before = (LedgerEntry.objects.count(), Organization.objects.count())

    schema_error = client.post("/api/subjects/orgs", {"name": "", "org_type": "公司", "region_code": "32"},
                               content_type=JSON)
    assert schema_error.status_code == 422
    errors = {e["field"]: e["message"] for e in schema_error.json()["errors"]}
    assert set(errors) == {"name", "credit_code", "org_type", "region_code"}
    assert all(CJK.search(m) for m in errors.values())
    assert errors["credit_code"].startswith("必填")

    bad_code = client.post("/api/subjects/orgs", {"name": "某单位", "credit_code": "11320100000000001X",
                                                   "org_type": "机关", "region_code": "320100",
                                                   "parent": city.orgs["city"].pk}, content_type=JSON)
    assert bad_code.status_code == 422
    assert bad_code.json()["errors"] == [{"field": "credit_code", "message": "校验码错误：第18位应为“G”，实为“X”"}]

    duplicate = client.post("/api/subjects/orgs", {"name": "某单位", "credit_code": city.orgs["xuanwu_scjg"].credit_code,
                                                    "org_type": "机关", "region_code": "320100",
                                                    "parent": city.orgs["city"].pk}, content_type=JSON)
    assert duplicate.status_code == 422
    assert "已登记" in duplicate.json()["errors"][0]["message"]

    no_reason = client.patch(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"name": "x"}, content_type=JSON)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    nothing = client.patch(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"reason": "无"}, content_type=JSON)
    assert nothing.status_code == 422
    assert nothing.json()["errors"][0]["message"] == "没有要修改的内容"
    too_long = client.patch(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"name": "长" * 201, "reason": "x"},
                            content_type=JSON)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["message"] == "不能超过 200 个字符"
    not_json = client.post("/api/subjects/orgs", "{name:", content_type=JSON)
    assert not_json.status_code == 422
    assert not_json.json()["errors"][0]["message"] == "请求体不是有效的 JSON"

    assert (LedgerEntry.objects.count(), Organization.objects.count()) == before


def test_register_person_and_change_post(city: City) -> None:
    client = api_client(city, "district")
    number = make_id_number("320102", dt.date(1992, 4, 30), 66)
    created = client.post("/api/subjects/people", {"name": "周新", "id_number": number, "employer": city.orgs["xuanwu_scjg"].pk,
                                                    "post": "科员", "rank": "四级主任科员",
                                                    "start_date": "2024-09-01"}, content_type=JSON)
    assert created.status_code == 201, created.content
    person = created.json()
    assert person["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert person["id_number"] is None  # the district registered it, but may not read it back
    assert person["gender"] == "女"
    assert [p["start_date"] for p in person["posts"]] == ["2024-09-01"]

    moved = client.post(f"/api/subjects/people/{person['id']}/posts",
                        {"employer": city.orgs["xuanwu"].pk, "post": "副科长", "rank": "三级主任科员", "status": "在职",
                         "effective": "2025-03-01", "reason": "提任"}, content_type=JSON)
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert body["employer"]["id"] == city.orgs["xuanwu"].pk
    assert [(p["post"], p["end_date"]) for p in body["posts"]] == [("副科长", None), ("科员", "2025-03-01")]

    # but not to another district
    out = client.post(f"/api/subjects/people/{person['id']}/posts",
                      {"employer": city.orgs["qinhuai_scjg"].pk, "post": "科员", "status": "调任", "effective": "2025-06-01",
                       "reason": "调动"}, content_type=JSON)
    assert out.status_code == 403
    assert CivilServant.objects.get(pk=person["id"]).employer_id == city.orgs["xuanwu"].pk


def test_person_write_422s_write_nothing(city: City) -> None:
    client = api_client(city, "credit")
    before = (LedgerEntry.objects.count(), CivilServant.objects.count())
    bad_id = client.post("/api/subjects/people", {"name": "吴错", "id_number": "32010219920430066X",
                                                  "employer": city.orgs["xuanwu_scjg"].pk, "post": "科员"}, content_type=JSON)
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "id_number"
    assert "校验码" in bad_id.json()["errors"][0]["message"]
    duplicate = client.post("/api/subjects/people", {"name": "张重", "id_number": ZHANG_ID,
                                                     "employer": city.orgs["xuanwu_scjg"].pk, "post": "科员"}, content_type=JSON)
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == [{"field": "id_number", "message": "该身份证号已登记"}]
    early = client.post(f"/api/subjects/people/{city.people['zhang'].pk}/posts",
                        {"post": "处长", "status": "在职", "effective": "2001-01-01", "reason": "x"}, content_type=JSON)
    assert early.status_code == 422
    assert early.json()["errors"][0]["field"] == "effective"
    bad_status = client.post(f"/api/subjects/people/{city.people['zhang'].pk}/posts",
                             {"post": "处长", "status": "退役", "effective": "2025-01-01", "reason": "x"},
                             content_type=JSON)
    assert bad_status.status_code == 422
    assert bad_status.json()["errors"][0]["message"].startswith("应为以下之一：在职")
    bad_date = client.post(f"/api/subjects/people/{city.people['zhang'].pk}/posts",
                           {"post": "处长", "status": "在职", "effective": "2025-02-30", "reason": "x"},
                           content_type=JSON)
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0] == {"field": "effective", "message": "应为日期（YYYY-MM-DD）"}
    assert (LedgerEntry.objects.count(), CivilServant.objects.count()) == before


def test_people_filters(city: City) -> None:
    client = api_client(city, "personnel")
    assert [p["name"] for p in client.get("/api/subjects/people?q=秦淮").json()["items"]] == ["李秦淮"]
    assert client.get(f"/api/subjects/people?employer={city.orgs['xuanwu_scjg'].pk}").json()["count"] == 1
    assert client.get("/api/subjects/people?status=退休").json()["count"] == 0
    assert "id_number" not in client.get("/api/subjects/people").json()["items"][0]


def test_top_level_org_by_credit_office(city: City) -> None:
    response = api_client(city, "credit").post(
        "/api/subjects/orgs", {"name": "江北新区管理委员会", "credit_code": make_credit_code("11", "320100", "000000088"),
                               "org_type": "功能区", "region_code": "320100"}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["parent"] is None and response.json()["depth"] == 0
