"""The public summary, the internal view with its access rules, the XLSX export and the JSON API."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govcredit.accounts.services import issue_token
from govcredit.statistics import services
from govcredit.testing import City, on_day

from .factories import change_data, licence, penalty, publish

#: The figures are of mid-2025; the pages show the months up to today, so the tests run in mid-2026.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 6, 15)))]


@pytest.fixture
def figures(city: City) -> City:
    """Three months of 2025: 市场监管局 misses the target, 新街口街道 (玄武区) meets it."""
    a = penalty(city, "scjg", "宁市监罚〔2025〕11号", "2025-07-01", serial=31)
    b = penalty(city, "scjg", "宁市监罚〔2025〕12号", "2025-08-01", serial=32)
    c = licence(city, "xinjiekou", "新街口许〔2025〕13号", "2025-07-15", serial=33)
    d = penalty(city, "xinjiekou", "新街口罚〔2025〕14号", "2025-08-05", serial=34)
    publish(a, "2025-07-03")
    publish(b, "2025-09-01")
    publish(c, "2025-07-16")
    publish(d, "2025-08-06")
    change_data(b, violation_type=None)
    services.refresh()
    return city


def _client(city: City, role: str | None) -> Client:
    client = Client()
    if role:
        client.force_login(city.users[role])
    return client


def _json_script(html: str, element_id: str) -> dict[str, Any]:
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    data: dict[str, Any] = json.loads(html[start:html.index("</script>", start)])
    return data


def test_public_summary_needs_no_login_and_has_chart_data(figures: City) -> None:
    response = Client().get(reverse("statistics:public"), {"months": 36})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="trend-chart"' in html and "statistics/echarts.min.js" in html and "cdn" not in html.lower()
    data = _json_script(html, "trend-data")
    assert data["target"] == 100 and len(data["months"]) == 36
    july = data["months"].index("2025-07")
    assert data["on_time"][july] == 100.0 and data["completeness"][july] == 100.0
    assert data["on_time"][july + 1] == 50.0 and data["completeness"][july + 1] == 50.0
    assert "南京市市场监督管理局" not in html  # the public page is city-wide only


def test_public_page_renders_on_an_empty_database(db: None) -> None:
    response = Client().get(reverse("statistics:public"))
    assert response.status_code == 200 and "—" in response.content.decode()


def test_internal_requires_login_and_a_statistics_role(figures: City) -> None:
    url = reverse("statistics:internal")
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get(reverse("statistics:internal_export")).status_code == 302
    for role in ("public", "subject", "thirdparty", "personnel"):
        assert _client(figures, role).get(url).status_code == 403, role
    for role in ("credit", "district", "submitter"):
        assert _client(figures, role).get(url).status_code == 200, role
    assert _client(figures, "district").post(reverse("statistics:refresh")).status_code == 403


def test_internal_rankings_highlight_departments_below_target(figures: City) -> None:
    response = _client(figures, "credit").get(reverse("statistics:internal"), {"start": "2025-01", "end": "2025-12"})
    html = response.content.decode()
    assert response.status_code == 200
    ranking = _json_script(html, "ranking-data")
    assert ranking["names"][0] == "玄武区新街口街道办事处" and ranking["on_time"][0] == 100.0
    assert "南京市市场监督管理局" in ranking["names"]
    report = response.context["report"]
    below = {d.name for d in report.below_target}
    assert below == {"南京市市场监督管理局", "南京市秦淮区人民政府"}
    assert html.count('class="below-target"') >= 2 and "未达100%" in html and 'id="district-month-table"' in html
    assert _json_script(html, "trend-data")["months"][0] == "2025-01"


def test_internal_page_in_english_with_figures(figures: City) -> None:
    with translation.override("en"):
        url = reverse("statistics:internal")
    period = {"start": "2025-01", "end": "2025-12"}
    html = _client(figures, "credit").get(url, period).content.decode()
    assert '<html lang="en">' in html
    # The badges and headings around the figures are translated; names (data) stay as they are.
    assert "Below 100%" in html and "未达100%" not in html and "南京市市场监督管理局" in html
    assert "Department ranking" in html and "District summary" in html and "Monthly figures" in html
    assert "部门排名" not in html and "月度数据" not in html and "合计" not in html
    assert "Citywide" in html and "全市" not in html
    assert "Period January 2025 to December 2025 (by decision date)" in html and "2025年1月" not in html
    # The page shows the scope in English; the XLSX (and its file name) keep the Chinese one.
    district = _client(figures, "district")
    html = district.get(url, period).content.decode()
    assert "<span translate=\"no\">南京市玄武区人民政府</span> and subordinate organizations" in html and "及下级单位" not in html
    with translation.override("en"):
        export = district.get(reverse("statistics:internal_export"), period)
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert any("南京市玄武区人民政府及下级单位" in row for sheet in book for row in sheet.iter_rows(values_only=True))
    assert "%E5%8F%8A%E4%B8%8B%E7%BA%A7%E5%8D%95%E4%BD%8D" in export["Content-Disposition"]  # 及下级单位
    with translation.override("zh-hans"):
        chinese = district.get(reverse("statistics:internal"), period).content.decode()
    assert "<span translate=\"no\">南京市玄武区人民政府</span>及下级单位" in chinese and "统计期间 2025年1月 至 2025年12月（按决定日期）" in chinese


def test_refresh_message_in_english(figures: City) -> None:
    with translation.override("en"):
        url = reverse("statistics:refresh")
    response = _client(figures, "credit").post(url, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "The recount has been submitted" in html and "已提交" not in html


def test_district_and_submitter_see_only_their_subtree(figures: City) -> None:
    period = {"start": "2025-01", "end": "2025-12"}
    district = _client(figures, "district").get(reverse("statistics:internal"), period).context["report"]
    assert {d.name for d in district.departments} == {"玄武区新街口街道办事处"}
    assert district.total.total == 2 and district.scope_label == "南京市玄武区人民政府及下级单位"
    submitter = _client(figures, "submitter").get(reverse("statistics:internal"), period).context["report"]
    assert {d.name for d in submitter.departments} == {"南京市市场监督管理局"}
    credit = _client(figures, "credit").get(reverse("statistics:internal"), period).context["report"]
    assert credit.total.total == 5


def test_calendar_warnings_are_shown(figures: City) -> None:
    response = _client(figures, "credit").get(reverse("statistics:internal"), {"start": "2030-01", "end": "2030-12"})
    html = response.content.decode()
    assert 'id="calendar-warnings"' in html and "2031年的节假日安排尚未录入，已按周一至周五计算" in html


def test_xlsx_export_opens_with_the_right_numbers(figures: City) -> None:
    response = _client(figures, "credit").get(reverse("statistics:internal_export"), {"start": "2025-07", "end": "2025-09"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["月度趋势", "部门排名", "部门分月", "区域分月", "区域汇总", "说明"]
    months = book["月度趋势"]
    header = [c.value for c in months[1]]
    assert header[:4] == ["月份", "双公示决定数", "数据完整数", "完整率"] and "及时率" in header
    rows = {r[0]: r for r in months.iter_rows(min_row=2, values_only=True)}
    on_time_col = header.index("及时率")
    assert rows["2025-07"][1] == 2 and rows["2025-07"][on_time_col] == 1
    assert rows["2025-08"][1] == 2 and rows["2025-08"][on_time_col] == 0.5 and rows["2025-08"][3] == 0.5
    assert rows["合计"][1] == 4
    assert months.cell(row=2, column=on_time_col + 1).number_format == "0.0%"
    deps = book["部门排名"]
    dep_header = [c.value for c in deps[1]]
    by_name = {r[1]: r for r in deps.iter_rows(min_row=2, values_only=True)}
    scjg = by_name["南京市市场监督管理局"]
    assert scjg[dep_header.index("及时率")] == 0.5 and scjg[dep_header.index("是否达到100%")] == "未达到"
    assert by_name["玄武区新街口街道办事处"][0] == 1
    assert "市本级" in {r[1] for r in book["区域汇总"].iter_rows(min_row=2, values_only=True)}
    per_month = {(r[0], r[1]): r for r in book["部门分月"].iter_rows(min_row=2, values_only=True)}
    assert per_month[("2025-08", "南京市市场监督管理局")][dep_header.index("及时率")] == 0
    assert per_month[("2025-07", "南京市市场监督管理局")][dep_header.index("及时率")] == 1
    area_rows = {(r[0], r[1]): r for r in book["区域分月"].iter_rows(min_row=2, values_only=True)}
    assert area_rows[("2025-08", "南京市玄武区人民政府")][1 + 1] == 1  # 双公示决定数


def test_xlsx_neutralises_formula_like_text(figures: City) -> None:
    from django.db.models import Q

    from govcredit.core.spreadsheet import neutralise
    from govcredit.statistics.report import build_report
    from govcredit.statistics.xlsx import report_workbook

    assert neutralise("=1+1") == "'=1+1" and neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("南京") == "南京"
    report = build_report(Q(), dt.date(2025, 7, 1), dt.date(2025, 7, 1))
    report.departments[0].name = '=HYPERLINK("http://evil","点击")'
    book = openpyxl.load_workbook(io.BytesIO(report_workbook(report, with_departments=True)))
    cell = book["部门排名"].cell(row=2, column=2)
    assert cell.value == '\'=HYPERLINK("http://evil","点击")' and cell.data_type == "s"


def test_public_export_has_only_the_city_figures(figures: City) -> None:
    response = Client().get(reverse("statistics:public_export"), {"months": 36})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["月度趋势", "说明"]


@pytest.mark.urls("govcredit.statistics.tests.urls")
def test_api_summary_is_public_and_departments_are_scoped(figures: City) -> None:
    summary = Client().get("/api/statistics/summary", {"months": 36})
    assert summary.status_code == 200
    body = summary.json()
    assert body["target"] == 1.0 and len(body["months"]) == 36
    july = next(m for m in body["months"] if m["month"] == "2025-07")
    assert july["on_time_rate"] == 1.0 and july["total"] == 2
    assert Client().get("/api/statistics/departments").status_code == 401
    _, key = issue_token(figures.users["district"], "统计")
    deps = Client().get("/api/statistics/departments", {"start": "2025-01", "end": "2025-12"},
                        HTTP_AUTHORIZATION=f"Bearer {key}")
    assert deps.status_code == 200
    assert [d["name"] for d in deps.json()["departments"]] == ["玄武区新街口街道办事处"]
    _, public_key = issue_token(figures.users["public"], "统计")
    assert Client().get("/api/statistics/departments", HTTP_AUTHORIZATION=f"Bearer {public_key}").status_code == 403
    credit = Client()
    credit.force_login(figures.users["credit"])
    all_deps = credit.get("/api/statistics/departments", {"start": "2025-01", "end": "2025-12"}).json()
    assert {d["name"] for d in all_deps["departments"] if d["below_target"]} == {"南京市市场监督管理局",
                                                                                   "南京市秦淮区人民政府"}
