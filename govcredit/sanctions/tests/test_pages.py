"""The pages: catalogue editing publishes versions, cases are worked and decided through their forms,
lists and the subject panel show what the user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govcredit.core import clock
from govcredit.ledger.verification import verify
from govcredit.sanctions.models import AppliedMeasure, MeasureType, Rule
from govcredit.sanctions.workflow import COLLECTIVE, RECTIFICATION, RECTIFYING, REVIEW
from govcredit.testing import City
from govcredit.workflow.models import Case
from govcredit.workflow.services import transition

from .helpers import PDF, breach

pytestmark = pytest.mark.django_db


def client_for(city: City, role: str) -> Client:
    c = Client()
    c.force_login(city.users[role])
    return c


def test_publishing_a_measure_version_from_the_page(city: City) -> None:
    c = client_for(city, "credit")
    assert c.get("/sanctions/catalogue/").status_code == 200
    response = c.post("/sanctions/catalogue/measures/gktb/", {
        "legal_basis": "新依据", "duration_months": 3, "subject_kinds": ["organization"], "restricts": ["评先评优"],
        "effect": "criticism", "is_active": "on", "reason": "缩短通报期限"})
    assert response.status_code == 302
    current = MeasureType.objects.get(code="gktb").current()
    assert current.version == 2 and current.duration_months == 3
    response = c.post("/sanctions/catalogue/measures/sm-zg/", {
        "legal_basis": "限期整改", "duration_months": 12, "subject_kinds": ["organization"], "effect": "rectification",
        "rectification_days": 20, "is_active": "on", "reason": "整改期限改为 20 个自然日"})
    assert response.status_code == 302
    current = MeasureType.objects.get(code="sm-zg").current()
    assert (current.version, current.rectification_days, current.rectification_working_days) == (2, 20, False)
    refused = c.post("/sanctions/catalogue/measures/gktb/", {
        "legal_basis": "x", "duration_months": 3, "subject_kinds": ["organization"], "reason": ""})
    assert refused.status_code == 200 and MeasureType.objects.get(code="gktb").current().version == 2


def test_publishing_a_rule_version_from_the_page(city: City) -> None:
    c = client_for(city, "credit")
    response = c.post("/sanctions/catalogue/rules/org-serious/", {
        "record_types": ["wyhy"], "severities": "严重", "subject_kinds": ["organization"], "min_count": 1,
        "within_years": 3, "measures": ["gktb"], "is_active": "on", "reason": "只通报"})
    assert response.status_code == 302
    assert Rule.objects.get(code="org-serious").current().measures == ["gktb"]


def test_case_pages_work_and_decide(city: City, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = breach(city)
    rect = Case.objects.get(kind=RECTIFICATION.code)
    district = client_for(city, "district")
    page = district.get(f"/sanctions/cases/{rect.pk}/")
    assert page.status_code == 200 and "提交书面说明和整改方案" in page.content.decode()
    assert district.post(f"/sanctions/cases/{rect.pk}/transition/",
                         {"to_state": RECTIFYING, "reason": "说明与方案"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == RECTIFYING
    upload = district.post(f"/sanctions/cases/{rect.pk}/evidence/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert upload.status_code == 302 and rect.evidence.count() == 1

    apply = district.post(f"/sanctions/fault-tolerance/apply/{record.pk}/",
                          {"grounds": ["及时止损"], "statement": "及时付清"})
    assert apply.status_code == 302
    case = Case.objects.exclude(kind=RECTIFICATION.code).get()
    transition(case, REVIEW, city.users["district"], "意见")
    transition(case, COLLECTIVE, city.users["credit"], "审查通过")
    credit = client_for(city, "credit")
    assert "录入集体决策结果" in credit.get(f"/sanctions/cases/{case.pk}/").content.decode()
    decided = credit.post(f"/sanctions/cases/{case.pk}/finding/", {
        "outcome": "免除", "meeting_on": clock.today().isoformat(), "deciders": "甲、乙、丙",
        "minutes": SimpleUploadedFile("纪要.pdf", PDF), "reason": "及时止损"})
    assert decided.status_code == 302
    assert set(AppliedMeasure.objects.filter(record=record).values_list("end_reason", flat=True)) == {"容错免除"}
    bad = credit.post(f"/sanctions/cases/{case.pk}/finding/", {
        "outcome": "免除", "meeting_on": clock.today().isoformat(), "deciders": "甲、乙、丙",
        "minutes": SimpleUploadedFile("纪要.pdf", PDF), "reason": "again"})
    assert bad.status_code == 200 and "待集体决策" in bad.content.decode()
    assert verify().ok


def test_lists_and_subject_panel(city: City) -> None:
    breach(city)
    district = client_for(city, "district")
    assert "取消参加评先评优资格" in district.get("/sanctions/measures/").content.decode()
    m = AppliedMeasure.objects.first()
    assert m is not None
    assert district.get(f"/sanctions/measures/{m.pk}/").status_code == 200
    panel = district.get(f"/subjects/orgs/{city.orgs['xinjiekou'].pk}/").content.decode()
    assert "联合奖惩" in panel and "书面说明原因并限期整改" in panel
    own = client_for(city, "subject").get("/sanctions/measures/").content.decode()
    assert "王小明" in own and "玄认〔2026〕" not in own  # a subject sees its own measures only


def test_home_page_shows_measures_and_late_rectifications(city: City) -> None:
    import datetime as dt

    from govcredit.workflow.services import mark_overdue

    breach(city)
    rect = Case.objects.get(kind=RECTIFICATION.code)
    mark_overdue(rect.due_on + dt.timedelta(days=10))
    home = client_for(city, "district").get("/").content.decode()
    assert "整改逾期" in home and f"#{rect.pk}" in home and "书面说明原因并限期整改" in home
    assert f"#{rect.pk}" not in client_for(city, "subject").get("/").content.decode()
