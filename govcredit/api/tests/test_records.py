"""Credit records through the API: entering, correcting, status changes, history, subject archives."""

from __future__ import annotations

import re

import pytest

from govcredit.archive.models import CreditRecord
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import City

from .conftest import api_client, penalty_fields

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
JSON = "application/json"


def counts() -> tuple[int, int]:
    return LedgerEntry.objects.count(), CreditRecord.objects.count()


def test_create_record_returns_201_with_history(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    response = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk, "reason": "日常报送",
                                            "fields": penalty_fields("玄市监罚〔2024〕21号", 严重程度="严重")},
                           content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["type_name"], body["type_version"]) == ("xzcf", "行政处罚", 1)
    assert body["status"] == "有效"
    assert body["subject_kind"] == "counterparty"
    assert body["subject_label"] == "南京某某商贸有限公司"
    assert body["severity"] == "严重"
    assert (body["publicity_start"], body["publicity_end"]) == ("2024-03-05", "2027-03-05")
    assert body["amount"] == "0.500000"
    assert body["fields"]["处罚类别"] == ["罚款"]
    assert [(h["action"], h["action_label"], h["actor"], h["reason"]) for h in body["history"]] == [
        ("record.create", "录入", "xuanwu_scjg", "日常报送")]
    assert CreditRecord.objects.filter(pk=body["id"], issuing_org=city.orgs["xuanwu_scjg"]).exists()


def test_record_about_a_subject(city: City) -> None:
    response = api_client(city, "district").post(
        "/api/records", {"type": "jlcf", "issuing_org": city.orgs["xuanwu"].pk, "subject_person": city.people["zhang"].pk,
                         "fields": {"处分决定文号": "玄纪处〔2024〕3号", "处分机关": "玄武区纪委",
                                    "处分决定日期": "2024年5月6日", "处分种类": "记过", "违纪违法事实": "x",
                                    "严重程度": "一般"}}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject_kind"] == "civil_servant"
    assert body["subject_person"] == {"id": city.people["zhang"].pk, "name": "张玄武"}
    assert body["decision_date"] == "2024-05-06"
    archive = api_client(city, "zhang").get(f"/api/subjects/people/{city.people['zhang'].pk}/archive").json()
    assert [r["id"] for r in archive["items"]] == [body["id"]]


def test_invalid_record_is_422_in_chinese_and_writes_nothing(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    before = counts()
    fields = penalty_fields("玄市监罚〔2024〕22号", 处罚决定日期="2024-13-01", 处罚类别="罚款、打板子")
    del fields["违法事实"]
    response = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk, "fields": fields},
                           content_type=JSON)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "输入有误"
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert errors["违法事实"] == "必填项为空"
    assert "不是有效日期" in errors["处罚决定日期"]
    assert "打板子" in errors["处罚类别"]

    unknown_field = client.post("/api/records", {"type": "xzcf", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                                 "fields": {**penalty_fields("x"), "罪名": "x"}}, content_type=JSON)
    assert unknown_field.status_code == 422
    assert {"field": "罪名", "message": "目录中没有这个字段"} in unknown_field.json()["errors"]

    unknown_type = client.post("/api/records", {"type": "nope", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                                "fields": penalty_fields("x")}, content_type=JSON)
    assert unknown_type.status_code == 422
    assert unknown_type.json()["errors"][0]["field"] == "type"

    wrong_subject = client.post("/api/records", {"type": "jlcf", "issuing_org": city.orgs["xuanwu_scjg"].pk,
                                                 "subject_org": city.orgs["xuanwu_scjg"].pk,
                                                 "fields": {"处分决定文号": "x", "处分机关": "x", "处分决定日期": "2024-01-01",
                                                            "处分种类": "警告", "违纪违法事实": "x", "严重程度": "一般"}},
                                content_type=JSON)
    assert wrong_subject.status_code == 422
    assert "不适用于单位" in wrong_subject.json()["errors"][0]["message"]

    shape = client.post("/api/records", {"type": "xzcf", "issuing_org": "玄武", "fields": []}, content_type=JSON)
    assert shape.status_code == 422
    assert {e["field"]: e["message"] for e in shape.json()["errors"]} == {"issuing_org": "应为整数",
                                                                           "fields": "应为对象（键值对）"}
    assert counts() == before


def test_correct_record(city: City) -> None:
    client = api_client(city, "xuanwu_scjg")
    before = counts()
    fields = penalty_fields("玄市监罚〔2024〕1号", natural=True, 处罚内容="罚款人民币三千元", **{"罚款金额（万元）": "0.3"})
    response = client.post(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/correct", {"fields": fields, "reason": "金额录入有误"},
                           content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == city.records["xuanwu_scjg_penalty"].pk
    assert (body["result"], body["amount"]) == ("罚款人民币三千元", "0.300000")
    assert [h["action"] for h in body["history"]] == ["record.create", "record.correct"]
    assert body["history"][-1]["reason"] == "金额录入有误"
    last = body["history"][-1]
    assert (last["person"], last["organization"]) == ("xuanwu_scjg", city.orgs["xuanwu_scjg"].name)
    changed = {c["field"]: (c["old"], c["new"], c["hidden"]) for c in last["changes"]}
    assert changed["结果"] == ("罚款人民币五千元", "罚款人民币三千元", False)
    assert all(c["hidden"] or not re.search(r"\d{17}[\dX]", c["old"] + c["new"]) for c in last["changes"])
    assert counts() == (before[0] + 1, before[1])

    # a correction with invalid values, or without a reason, changes nothing
    for payload in ({"fields": {**fields, "处罚决定日期": "下周一"}, "reason": "x"}, {"fields": fields, "reason": ""}):
        bad = client.post(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/correct", payload, content_type=JSON)
        assert bad.status_code == 422
        assert all(CJK.search(e["message"]) for e in bad.json()["errors"])
    assert counts() == (before[0] + 1, before[1])
    assert CreditRecord.objects.get(pk=city.records["xuanwu_scjg_penalty"].pk).result == "罚款人民币三千元"


def test_status_change_writes_a_ledger_entry(city: City) -> None:
    client = api_client(city, "credit")
    before = LedgerEntry.objects.count()
    response = client.post(f"/api/records/{city.records['qinhuai_scjg_penalty'].pk}/status", {"status": "异议中", "reason": "当事人提出异议"},
                           content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "异议中"
    assert LedgerEntry.objects.count() == before + 1
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.entity_id, entry.reason) == (
        "record.status", "credit", city.records["qinhuai_scjg_penalty"].pk, "当事人提出异议")
    history = client.get(f"/api/records/{city.records['qinhuai_scjg_penalty'].pk}").json()["history"]
    assert [h["action_label"] for h in history] == ["录入", "状态变更"]
    assert history[-1]["seq"] == entry.seq

    assert client.get("/api/records?status=异议中").json()["count"] == 1

    # not allowed: 已修复 from 异议中; unknown status; no reason — all 422, nothing written
    for payload in ({"status": "已修复", "reason": "x"}, {"status": "作废", "reason": "x"}, {"status": "有效"}):
        bad = client.post(f"/api/records/{city.records['qinhuai_scjg_penalty'].pk}/status", payload, content_type=JSON)
        assert bad.status_code == 422, payload
        assert all(CJK.search(e["message"]) for e in bad.json()["errors"])
    assert LedgerEntry.objects.count() == before + 1

    # the district may not change statuses at all
    assert api_client(city, "district").post(f"/api/records/{city.records['xuanwu_scjg_penalty'].pk}/status",
                                         {"status": "已撤销", "reason": "x"}, content_type=JSON).status_code == 403


def test_record_filters(city: City) -> None:
    client = api_client(city, "credit")

    def found(query: str) -> set[int]:
        return {r["id"] for r in client.get(f"/api/records?{query}").json()["items"]}

    assert found("type=xzcf") == {city.records[k].pk for k in ("xuanwu_scjg_penalty", "qinhuai_scjg_penalty",
                                                                "qinhuai_penalty")}
    assert found(f"issuing_org={city.orgs['qinhuai_scjg'].pk}") == {city.records["qinhuai_scjg_penalty"].pk}
    assert found(f"subject_org={city.orgs['xuanwu_scjg'].pk}") == {city.records["xuanwu_scjg_accountability"].pk}
    assert found(f"subject_person={city.people['qinhuai'].pk}") == {city.records["qinhuai_discipline"].pk}
    assert found("decision_date_from=2024-01-01&decision_date_to=2024-04-01") == {city.records["xuanwu_scjg_penalty"].pk}
    assert found("q=秦市监罚〔2024〕") == {city.records["qinhuai_scjg_penalty"].pk}
    assert found("q=商贸") == {city.records["qinhuai_scjg_penalty"].pk}
    bad = client.get("/api/records?decision_date_from=2024-99-01&status=作废")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"decision_date_from", "status"}


def test_list_is_newest_first_and_archives(city: City) -> None:
    client = api_client(city, "credit")
    dates = [r["decision_date"] for r in client.get("/api/records").json()["items"]]
    assert dates == sorted(dates, reverse=True)
    for n, day in ((1, "2021-01-05"), (2, "2024-08-01"), (3, "2022-06-30")):
        assert client.post("/api/records", {"type": "wzcl", "issuing_org": city.orgs["xuanwu"].pk,
                                            "subject_org": city.orgs["xuanwu_scjg"].pk,
                                            "fields": {"问责决定文号": f"玄委问〔2024〕{n}号", "问责机关": "玄武区人民政府",
                                                       "问责决定日期": day, "问责方式": "检查", "问责事由": "x"}},
                           content_type=JSON).status_code == 201
    archive = client.get(f"/api/subjects/orgs/{city.orgs['xuanwu_scjg'].pk}/archive").json()
    assert archive["count"] == 4
    assert [r["decision_date"] for r in archive["items"]] == ["2024-08-01", "2023-10-08", "2022-06-30", "2021-01-05"]
    assert all(r["subject_org"]["id"] == city.orgs["xuanwu_scjg"].pk for r in archive["items"])
    assert client.get(f"/api/subjects/orgs/{city.orgs['qinhuai_scjg'].pk}/archive").json()["count"] == 0
    assert client.get("/api/subjects/orgs/999999/archive").status_code == 404
