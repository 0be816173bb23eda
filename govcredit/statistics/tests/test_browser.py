"""The public statistics page in a real browser: ECharts (served locally) draws the trend chart."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from govcredit.statistics import services
from govcredit.testing import City, on_day

from .factories import licence, penalty, publish

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

#: The figures are of 2025; the chart shows the months up to today, so the tests run in mid-2026.
pytestmark = [pytest.mark.browser, pytest.mark.time_machine(on_day(dt.date(2026, 6, 15)))]



def test_public_statistics_page_draws_the_trend_chart(live_server: object, transactional_db: None, city: City,
                                                       browser: Browser, request: pytest.FixtureRequest) -> None:
    on_time = penalty(city, "scjg", "宁市监罚〔2025〕91号", "2025-09-30", serial=91)
    late = penalty(city, "scjg", "宁市监罚〔2025〕92号", "2025-10-09", serial=92)
    lic = licence(city, "xinjiekou", "新街口许〔2025〕93号", "2025-11-03", serial=93)
    publish(on_time, "2025-10-10")
    publish(late, "2025-11-20")
    publish(lic, "2025-11-04")
    services.refresh()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(str(live_server)) else None)
    try:
        page.goto(f"{live_server}/portal/statistics/?months=24")
        chart = page.locator("#trend-chart")
        expect(chart).to_have_attribute("data-rendered", "1", timeout=10_000)
        expect(chart.locator("canvas").first).to_be_visible()
        box = chart.locator("canvas").first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200
        assert page.evaluate("typeof echarts !== 'undefined' && echarts.version.startsWith('5.')")
        option = page.evaluate("echarts.getInstanceByDom(document.getElementById('trend-chart')).getOption()")
        assert option["series"][0]["name"] == "及时率"
        assert option["series"][0]["markLine"]["data"][0]["yAxis"] == 100
        assert "2025-10" in option["xAxis"][0]["data"]
        expect(page.locator("#total-on-time")).to_be_visible()
        page.goto(f"{live_server}/en/portal/statistics/?months=24")  # the chart speaks the page's language
        expect(page.locator("#trend-chart")).to_have_attribute("data-rendered", "1", timeout=10_000)
        option = page.evaluate("echarts.getInstanceByDom(document.getElementById('trend-chart')).getOption()")
        assert [s["name"] for s in option["series"]] == ["On-time rate", "Completeness rate", "Publication rate"]
        assert option["series"][0]["markLine"]["label"]["formatter"] == "Target 100%"
        assert external == [], f"requests left the server: {external}"
    finally:
        shots = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "statistics_public.png"), full_page=True)
        context.close()


def test_internal_page_draws_the_ranking_with_departments_below_target(
        live_server: object, transactional_db: None, city: City, browser: Browser,
        request: pytest.FixtureRequest, settings: object) -> None:
    from importlib import import_module

    from django.conf import settings as django_settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    good = licence(city, "xinjiekou", "新街口许〔2025〕94号", "2025-09-01", serial=94)
    late = penalty(city, "scjg", "宁市监罚〔2025〕95号", "2025-09-02", serial=95)
    publish(good, "2025-09-02")
    publish(late, "2025-09-30")
    services.refresh()
    user = city.users["credit"]
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key,
                          "url": str(live_server), "httpOnly": True}])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/portal/statistics/internal/?start=2025-01&end=2025-12")
        ranking = page.locator("#ranking-chart")
        expect(ranking).to_have_attribute("data-rendered", "1")
        expect(ranking.locator("canvas").first).to_be_visible()
        names = page.evaluate("echarts.getInstanceByDom(document.getElementById('ranking-chart')).getOption().yAxis[0].data")
        assert "南京市市场监督管理局" in names and "玄武区新街口街道办事处" in names
        expect(page.locator("#department-table tr.below-target", has_text="南京市市场监督管理局")).to_be_visible()
    finally:
        shots = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "statistics_internal.png"), full_page=True)
        context.close()
