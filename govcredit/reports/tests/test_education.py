"""诚信教育: training records (catalog type 诚信教育培训) count towards the year's target per department; the
credit office sets the target (ledgered); each role sees its scope; the table exports; reports list them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.reports import education, services
from govcredit.testing import City

pytestmark = pytest.mark.django_db


def train(city: City, person: str, number: str, hours: int, passed: str = "合格", day: str = "2026-05-10") -> None:
    record_decision(RecordType.objects.get(code="cxjy").current(), {
        "培训编号": number, "组织单位": "市委党校", "培训日期": day, "课程名称": "政务诚信与依法行政",
        "学时": str(hours), "考核结果": passed}, issuing_org=city.orgs["zzb"], subject_person=city.people[person],
        actor="test")


@pytest.fixture
def trained(city: City) -> City:
    train(city, "xuanwu", "PX-1", 8)
    train(city, "xuanwu", "PX-2", 6)
    train(city, "xuanwu", "PX-3", 20, passed="不合格")
    train(city, "xuanwu", "PX-4", 20, day="2025-05-10")
    train(city, "qinhuai", "PX-5", 4)
    return city


def by_org(rows: list[education.Completion]) -> dict[str, tuple[int, int]]:
    return {r.org.name: (r.staff, r.completed) for r in rows}


def test_completion_against_the_yearly_target(trained: City) -> None:
    rows = by_org(education.completion(trained.users["credit"], 2026))
    assert rows["玄武区新街口街道办事处"] == (1, 1)  # 8 + 6 passed in 2026 ≥ 12
    assert rows["南京市秦淮区人民政府"] == (1, 0)
    education.set_target(trained.users["credit"], 2026, 16, "市信用办〔2026〕3号")
    assert by_org(education.completion(trained.users["credit"], 2026))["玄武区新街口街道办事处"] == (1, 0)
    assert by_org(education.completion(trained.users["credit"], 2025))["玄武区新街口街道办事处"] == (1, 1)
    assert set(by_org(education.completion(trained.users["district"], 2026))) == {"玄武区新街口街道办事处"}
    with pytest.raises(PermissionDenied):
        education.set_target(trained.users["personnel"], 2026, 10, "x")


def test_the_page_exports_and_reports_list_trainings(trained: City, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    client.force_login(trained.users["credit"])
    page = client.get(reverse("reports:education"), {"year": "2026"}).content.decode()
    assert "12 学时" in page and "玄武区新街口街道办事处" in page
    assert client.get(reverse("reports:education"), {"year": "20x6"}).status_code == 400
    client.post(f"{reverse('reports:education')}?year=2026", {"hours": "14", "reason": "市信用办〔2026〕3号"})
    assert education.target_hours(2026) == 14
    xlsx = client.get(reverse("reports:education"), {"year": "2026", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = {r[0]: r[2:4] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["玄武区新街口街道办事处"] == (1, 1)
    report, _code = services.issue_report(trained.users["personnel"], trained.people["xuanwu"], purpose="评优评先",
                                          case_reference="评-1", verify_url="http://t/")
    positive = next(s for s in report.content["sections"] if s["title"].startswith("守信"))
    assert [row[1] for row in positive["rows"]] == ["诚信教育培训"] * 4
