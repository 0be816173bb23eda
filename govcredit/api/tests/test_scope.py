"""Each role sees exactly its scope, and full ID numbers reach only the roles allowed them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from govcredit.archive.models import CreditRecord
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.subjects.identifiers import make_id_number, mask_name
from govcredit.testing import COUNTERPARTY_ID, QINHUAI_ID, ZHANG_ID, City

from .conftest import FULL_IDS, api_client, penalty_fields

pytestmark = pytest.mark.django_db


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --------------------------------------------------------------------------- reading

def test_city_wide_roles_see_everything(city: City) -> None:
    for role in ("credit", "personnel"):
        client = api_client(city, role)
        assert client.get("/api/subjects/orgs").json()["count"] == len(city.orgs) == 9
        assert ids(client.get("/api/subjects/people")) == {p.pk for p in city.people.values()}
        assert ids(client.get("/api/records")) == {r.pk for r in city.records.values()}


def test_district_sees_its_subtree_only(city: City) -> None:
    client = api_client(city, "district")
    assert ids(client.get("/api/subjects/orgs")) == {city.orgs[k].pk for k in ("xuanwu", "xinjiekou", "xuanwu_scjg")}
    assert ids(client.get("/api/subjects/people")) == {city.people["xuanwu"].pk, city.people["zhang"].pk}
    assert ids(client.get("/api/records")) == {city.records[k].pk for k in ("xuanwu_discipline", "xuanwu_scjg_penalty",
                                                                             "xuanwu_scjg_accountability")}

    # outside the district: 404, exactly as for an id that does not exist
    missing = client.get("/api/subjects/orgs/999999")
    for url in (f"/api/subjects/orgs/{city.orgs['qinhuai_scjg'].pk}", f"/api/subjects/orgs/{city.orgs['city'].pk}",
                f"/api/subjects/people/{city.people['qinhuai'].pk}", f"/api/records/{city.records['qinhuai_scjg_penalty'].pk}",
                f"/api/records/{city.records['qinhuai_discipline'].pk}", f"/api/subjects/orgs/{city.orgs['qinhuai_scjg'].pk}/archive",
                f"/api/subjects/people/{city.people['qinhuai'].pk}/archive"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == missing.json()
    assert client.get(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}").status_code == 200
    assert client.get(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}").status_code == 200


def test_filters_cannot_widen_the_scope(city: City) -> None:
    client = api_client(city, "district")
    assert ids(client.get(f"/api/records?issuing_org={city.orgs['qinhuai_scjg'].pk}")) == set()
    assert ids(client.get(f"/api/subjects/orgs?parent={city.orgs['qinhuai'].pk}")) == set()
    assert ids(client.get(f"/api/subjects/people?employer={city.orgs['qinhuai_scjg'].pk}")) == set()


def test_submitter_sees_its_own_organisation(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    assert ids(client.get("/api/subjects/orgs")) == {city.orgs["xuanwu_scjg"].pk}
    assert ids(client.get("/api/records")) == {city.records["xuanwu_scjg_penalty"].pk, city.records["xuanwu_scjg_accountability"].pk}
    assert client.get(f"/api/subjects/orgs/{city.orgs['xuanwu'].pk}").status_code == 404


def test_subject_users_see_their_own_archive(city: City) -> None:
    org_user = api_client(city, "xuanwu_scjg_self")
    assert ids(org_user.get("/api/records")) == {city.records["xuanwu_scjg_accountability"].pk}
    assert ids(org_user.get(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}/archive")) == {city.records["xuanwu_scjg_accountability"].pk}
    assert org_user.get(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}").status_code == 404

    person_user = api_client(city, "zhang")
    assert ids(person_user.get("/api/subjects/people")) == {city.people["zhang"].pk}
    assert ids(person_user.get("/api/records")) == set()
    assert person_user.get(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}").status_code == 404
    # subjects may not read the catalog nor write anything
    assert person_user.get("/api/catalog/types").status_code == 403
    assert person_user.post(f"/api/records/{city.records['xuanwu_scjg_accountability'].pk}/status", {"status": "异议中", "reason": "异议"},
                            content_type="application/json").status_code == 403


ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/subjects/orgs", None),
    ("get", "/api/subjects/orgs/{org}", None),
    ("get", "/api/subjects/orgs/{org}/archive", None),
    ("patch", "/api/subjects/orgs/{org}", {"name": "改名", "reason": "测试"}),
    ("post", "/api/subjects/orgs", {"name": "新单位", "credit_code": "11320100000000099X", "org_type": "机关",
                                    "region_code": "320100", "reason": "测试"}),
    ("get", "/api/subjects/people", None),
    ("get", "/api/subjects/people/{person}", None),
    ("get", "/api/subjects/people/{person}/archive", None),
    ("post", "/api/subjects/people/lookup", {"id_number": ZHANG_ID}),
    ("post", "/api/subjects/people/{person}/posts", {"post": "处长", "status": "在职", "effective": "2025-01-01",
                                                     "reason": "测试"}),
    ("get", "/api/catalog/types", None),
    ("get", "/api/catalog/types/xzcf", None),
    ("get", "/api/catalog/types/xzcf/versions/1", None),
    ("get", "/api/records", None),
    ("get", "/api/records/{record}", None),
    ("post", "/api/records/{record}/status", {"status": "异议中", "reason": "测试"}),
    ("post", "/api/records/{record}/correct", {"fields": {}, "reason": "测试"}),
    ("get", "/api/tokens", None),
]


@pytest.mark.parametrize("role", ["public", "thirdparty"])
def test_public_and_third_party_get_403_on_everything_but_me(city: City, role: str) -> None:
    client = api_client(city, role)
    before = LedgerEntry.objects.count()
    for method, template, body in ENDPOINTS:
        url = template.format(org=city.orgs["xuanwu_scjg"].pk, person=city.people["zhang"].pk, record=city.records["xuanwu_scjg_penalty"].pk)
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code == 403, (method, url, response.content)
        assert response.json()["detail"]
    assert client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk, "fields": {}},
                       content_type="application/json").status_code == 403
    assert client.post("/api/catalog/types/xzcf/versions", {}, content_type="application/json").status_code == 403
    assert client.get("/api/me").status_code == 200
    assert LedgerEntry.objects.count() == before


# --------------------------------------------------------------------------- writing

def test_district_gets_403_when_writing_outside(city: City) -> None:
    client = api_client(city, "district")
    before = LedgerEntry.objects.count()
    # a record issued in the name of another district's department
    response = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["qinhuai_scjg"].pk,
                                            "fields": penalty_fields("玄越权〔2024〕1号")},
                           content_type="application/json")
    assert response.status_code == 403
    # about a subject outside the district
    response = client.post("/api/records", {"type": "wzcl", "issuing_org": city.orgs["xuanwu"].pk,
                                            "subject_org": city.orgs["qinhuai_scjg"].pk,
                                            "fields": {"问责决定文号": "x", "问责机关": "x", "问责决定日期": "2024-01-01",
                                                       "问责方式": "通报", "问责事由": "x"}},
                           content_type="application/json")
    assert response.status_code == 403
    # an organisation under another district
    response = client.post("/api/subjects/orgs", {"name": "秦淮区某街道", "credit_code": "11320104000000077X",
                                                   "org_type": "街道", "region_code": "320104",
                                                   "parent": city.orgs["qinhuai"].pk},
                           content_type="application/json")
    assert response.status_code == 403
    # a top-level organisation
    response = client.post("/api/subjects/orgs", {"name": "另一个市", "credit_code": "11320100000000077X",
                                                   "org_type": "机关", "region_code": "320100"},
                           content_type="application/json")
    assert response.status_code == 403
    # a civil servant employed outside the district
    response = client.post("/api/subjects/people", {"name": "赵六", "id_number": make_id_number(
        "320104", dt.date(1988, 8, 8), 11), "employer": city.orgs["qinhuai_scjg"].pk, "post": "科员"},
        content_type="application/json")
    assert response.status_code == 403
    # changing an organisation or record outside the district: it is not even found
    assert client.patch(f"/api/subjects/orgs/{city.orgs['qinhuai_scjg'].pk}", {"name": "x", "reason": "x"},
                        content_type="application/json").status_code == 404
    assert client.post(f"/api/records/{city.records['qinhuai_scjg_penalty'].pk}/correct",
                       {"fields": penalty_fields("x"), "reason": "x"},
                       content_type="application/json").status_code == 404
    assert LedgerEntry.objects.count() == before


def test_submitter_creates_records_only_for_its_subtree(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    ok = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                      "fields": penalty_fields("玄市监罚〔2024〕9号")},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["issuing_org"] == {"id": city.orgs["xuanwu_scjg"].pk, "name": "玄武区市场监督管理局"}

    count = CreditRecord.objects.count()
    for issuing in (city.orgs["xuanwu"], city.orgs["qinhuai_scjg"], city.orgs["city"]):
        response = client.post("/api/records", {"type": "xzcf", "issuing_org": issuing.pk,
                                                "fields": penalty_fields("玄市监罚〔2024〕10号")},
                               content_type="application/json")
        assert response.status_code == 403
    # may not edit subjects, nor change a record's status
    assert client.patch(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"name": "x", "reason": "x"},
                        content_type="application/json").status_code == 403
    assert client.post(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/status", {"status": "已撤销", "reason": "x"},
                       content_type="application/json").status_code == 403
    assert CreditRecord.objects.count() == count


def test_only_the_issuing_side_corrects_a_record(city: City) -> None:
    # the district sees the record about its department that the district itself issued, and one issued by a
    # department; the submitter (that department) sees the first but may not correct it
    response = api_client(city, "xuanwu_scjg").post(
        f"/api/records/{city.records['xuanwu_scjg_accountability'].pk}/correct",
        {"fields": {"问责决定文号": "x", "问责机关": "x", "问责决定日期": "2023-10-08", "问责方式": "通报",
                    "问责事由": "x"}, "reason": "更正"},
        content_type="application/json")
    assert response.status_code == 403
    assert api_client(city, "personnel").post(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/correct",
                                           {"fields": {}, "reason": "x"},
                                           content_type="application/json").status_code == 403


# --------------------------------------------------------------------------- full ID numbers

def test_full_id_number_never_in_the_person_detail(city: City) -> None:
    """The full number is shown only by the logged reveal (POST /api/reports/reveal, tested in reports)."""
    for role in ("credit", "personnel"):
        body = api_client(city, role).get(f"/api/subjects/people/{city.people['zhang'].pk}").json()
        assert body["id_number"] is None and ZHANG_ID not in str(body)
        assert body["birth_date"] == "1980-05-17"
        assert body["id_masked"] == "3201**********1239"
    for role in ("district", "xuanwu_scjg", "zhang"):
        body = api_client(city, role).get(f"/api/subjects/people/{city.people['zhang'].pk}").json()
        assert body["id_number"] is None
        assert body["birth_date"] is None
        assert body["id_masked"] == "3201**********1239"


def test_id_number_search_only_for_roles_allowed_full_ids(city: City) -> None:
    found = api_client(city, "personnel").get(f"/api/subjects/people?id_number={QINHUAI_ID.lower()}")
    assert ids(found) == {city.people["qinhuai"].pk}
    looked_up = api_client(city, "credit").post("/api/subjects/people/lookup", {"id_number": QINHUAI_ID},
                                                   content_type="application/json")
    assert looked_up.status_code == 200 and looked_up.json()["id"] == city.people["qinhuai"].pk
    unknown = make_id_number("320102", dt.date(1999, 9, 9), 99)
    assert api_client(city, "credit").post("/api/subjects/people/lookup", {"id_number": unknown},
                                              content_type="application/json").status_code == 404
    invalid = api_client(city, "credit").get("/api/subjects/people?id_number=320102198005171230")
    assert invalid.status_code == 422
    assert "校验码" in invalid.json()["errors"][0]["message"]
    for role in ("district", "xuanwu_scjg"):
        assert api_client(city, role).get(f"/api/subjects/people?id_number={ZHANG_ID}").status_code == 403
        assert api_client(city, role).post("/api/subjects/people/lookup", {"id_number": ZHANG_ID},
                                       content_type="application/json").status_code == 403


def _responses_of(city: City, role: str) -> list[tuple[str, Client, Any]]:
    """Every kind of response a role can get, including its own writes."""
    client = api_client(city, role)
    out = []

    def call(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method)(url, **kwargs)
        out.append((f"{method.upper()} {url}", client, response))
        return response

    for url in ["/api/me", "/api/subjects/orgs", "/api/subjects/people", "/api/records", "/api/catalog/types",
                "/api/catalog/types/xzcf", "/api/tokens",
                f"/api/subjects/people?id_number={ZHANG_ID}"]:
        call("get", url)
    for person in (city.people["zhang"], city.people["qinhuai"]):
        call("get", f"/api/subjects/people/{person.pk}")
        call("get", f"/api/subjects/people/{person.pk}/archive")
    for record in (city.records["xuanwu_scjg_penalty"], city.records["qinhuai_scjg_penalty"], city.records["xuanwu_scjg_accountability"], city.records["qinhuai_discipline"]):
        call("get", f"/api/records/{record.pk}")
    for org in (city.orgs["xuanwu_scjg"], city.orgs["qinhuai_scjg"]):
        call("get", f"/api/subjects/orgs/{org.pk}/archive")
    call("post", "/api/subjects/people/lookup", {"id_number": ZHANG_ID})
    # writes that carry full numbers in: what comes back must still be masked
    new_id = make_id_number("320102", dt.date(1991, 2, 3), 5)
    call("post", "/api/subjects/people", {"name": "钱新", "id_number": new_id, "employer": city.orgs["xuanwu_scjg"].pk,
                                          "post": "科员"})
    call("post", "/api/subjects/people", {"name": "孙重", "id_number": ZHANG_ID, "employer": city.orgs["xuanwu_scjg"].pk,
                                          "post": "科员"})
    call("post", "/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                  "fields": penalty_fields(f"玄罚〔2024〕{role}", natural=True)})
    call("post", "/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                  "fields": penalty_fields("bad", natural=True, 处罚决定日期="明天")})
    call("post", f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/correct",
         {"fields": penalty_fields("玄市监罚〔2024〕1号", natural=True), "reason": "更正"})
    call("post", f"/api/subjects/people/{city.people['zhang'].pk}/posts",
         {"post": "副处长", "status": "在职", "effective": clock.today().isoformat(), "reason": "晋升"})
    call("patch", f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}", {"name": "玄武区市场监督管理局", "reason": "核对"})
    return [(label, c, r) for label, c, r in out] + [("new_id", client, new_id)]


@pytest.mark.parametrize("role", ["district", "xuanwu_scjg", "xuanwu_scjg_self", "zhang", "public", "thirdparty"])
def test_no_full_id_number_in_any_response_of_other_roles(city: City, role: str) -> None:
    results = _responses_of(city, role)
    new_id = results.pop()[2]
    for label, _, response in results:
        assert response["Content-Type"].startswith("application/json"), label
        text = response.content.decode()
        for number in (*FULL_IDS, new_id):
            assert number not in text, f"{role} {label} 泄露了完整身份证号"
            assert number.lower() not in text.lower(), label


@pytest.mark.parametrize("role", ["credit", "personnel"])
def test_counterparty_id_numbers_are_never_decrypted(city: City, role: str) -> None:
    for label, _, response in _responses_of(city, role)[:-1]:
        assert COUNTERPARTY_ID not in response.content.decode(), label
    record = api_client(city, role).get(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}").json()
    assert record["counterparty_id_masked"] == "3201**********7891"
    name = CreditRecord.objects.get(pk=city.records["xuanwu_scjg_penalty"].pk).counterparty_name  # 王小明 if corrected
    assert record["subject_label"] == record["fields"]["行政相对人名称"] == mask_name(name) != name
    assert record["fields"]["证件号码"] == "3201**********7891"
    assert "王小明" not in str(record)
