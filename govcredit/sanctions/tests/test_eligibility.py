"""Eligibility checks: yes or no with the records and measures behind it, logged; the XLSX batch."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from govcredit.accounts.models import Role
from govcredit.accounts.services import create_user
from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.core import clock
from govcredit.sanctions.models import EligibilityCheck
from govcredit.testing import PASSWORD, XUANWU_ID, City

from .helpers import breach, honour

pytestmark = pytest.mark.django_db


def personnel(city: City) -> Client:
    c = Client()
    c.force_login(city.users["personnel"])
    return c


def ask(c: Client, **body: object) -> tuple[int, dict[str, Any]]:
    body = {"participation": "评先评优", "purpose": "2026 年度评先评优资格审查", **body}
    r = c.post("/api/sanctions/eligibility", json.dumps(body, default=str), content_type="application/json")
    answer: dict[str, Any] = r.json()
    return r.status_code, answer


def test_no_while_a_restricting_punishment_is_in_force(city: City) -> None:
    record = breach(city)
    org = city.orgs["xinjiekou"].pk
    code, body = ask(personnel(city), subject_org=org)
    assert code == 200 and body["eligible"] is False
    assert [m["measure"] for m in body["blocking"]] == ["取消参加评先评优资格"]
    assert body["blocking"][0]["record_id"] == record.pk
    assert ask(personnel(city), subject_org=org, participation="专项资金")[1]["eligible"] is True
    before = (record.decision_date - dt.timedelta(days=1)).isoformat()
    assert ask(personnel(city), subject_org=org, on_date=before)[1]["eligible"] is True
    log = EligibilityCheck.objects.order_by("pk").first()
    assert log is not None and log.purpose == "2026 年度评先评优资格审查" and log.eligible is False


def test_suspended_measures_do_not_restrict(city: City) -> None:
    record = breach(city)
    change_status(record, RecordStatus.OBJECTION, actor="test", reason="异议")
    code, body = ask(personnel(city), subject_org=city.orgs["xinjiekou"].pk)
    assert body["eligible"] is True and len(body["suspended"]) == 1


def test_rewards_are_listed(city: City) -> None:
    honour(city, person=city.people["xuanwu"])
    code, body = ask(personnel(city), subject_person=city.people["xuanwu"].pk, participation="职务晋升")
    assert body["eligible"] is True and [m["measure"] for m in body["favouring"]] == ["职务晋升同等条件下优先"]


def test_scope_and_purpose(city: City) -> None:
    district = Client()
    district.force_login(city.users["district"])
    assert ask(district, subject_org=city.orgs["qinhuai"].pk)[0] == 404
    subject = Client()
    subject.force_login(city.users["subject"])
    assert ask(subject, subject_org=city.orgs["xinjiekou"].pk)[0] == 403
    assert ask(personnel(city), subject_org=city.orgs["xinjiekou"].pk, purpose="")[0] == 422
    assert ask(personnel(city), subject_org=city.orgs["xinjiekou"].pk, participation="抽奖")[0] == 422


def test_page(city: City) -> None:
    breach(city)
    response = personnel(city).post("/sanctions/eligibility/", {
        "subject": city.orgs["xinjiekou"].credit_code, "participation": "评先评优",
        "on_date": clock.today().isoformat(), "purpose": "评优审查"})
    html = response.content.decode()
    assert response.status_code == 200 and "不得参与" in html and "取消参加评先评优资格" in html


def test_batch_lists_unmatched_and_ambiguous_rows(city: City) -> None:
    breach(city)
    create_user("dup", PASSWORD, role=Role.SUBJECT, organization=city.orgs["xinjiekou"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "统一社会信用代码", "身份证号"])
    sheet.append(["", city.orgs["xinjiekou"].credit_code, ""])
    sheet.append(["", "", XUANWU_ID])
    sheet.append(["不存在的单位", "", ""])
    sheet.append(["王小明", "", ""])  # matched by name: one person
    buffer = io.BytesIO()
    book.save(buffer)
    response = personnel(city).post("/sanctions/eligibility/batch/", {
        "file": SimpleUploadedFile("list.xlsx", buffer.getvalue()), "participation": "评先评优",
        "on_date": clock.today().isoformat(), "purpose": "批量评优审查"})
    assert response.status_code == 200, response.content[:500]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][4] == "唯一匹配" and rows[1][8] == "不得参与"
    assert rows[2][4] == "唯一匹配" and rows[2][8] == "可以参与" and XUANWU_ID not in str(rows[2])
    assert rows[3][4] == "未匹配" and rows[3][8].startswith("未核查")
    assert rows[4][4] == "唯一匹配"
    assert EligibilityCheck.objects.count() == 3


def test_batch_refuses_what_is_not_xlsx(city: City) -> None:
    response = personnel(city).post("/sanctions/eligibility/batch/", {
        "file": SimpleUploadedFile("list.csv", b"a,b"), "participation": "评先评优",
        "on_date": clock.today().isoformat(), "purpose": "x"})
    assert response.status_code == 400 and "XLSX" in response.content.decode()
