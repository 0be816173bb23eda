"""The monitoring dashboard in a real browser at 1366×900 and at 390 px: the district map (GeoJSON shipped
with the project, ECharts served locally), the trend, drill-down to a value and the records behind it, and
no Content-Security-Policy violation. Screenshots go to the test's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from playwright.sync_api import expect

from govcredit.accounts.models import User
from govcredit.conftest import watch_csp
from govcredit.testing import City, on_day

from .test_pages import build_series

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.time_machine(on_day(dt.date(2026, 11, 20)))]


def _context(browser: Any, live_server: Any, user: User, width: int, height: int) -> Any:
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key,
                          "url": str(live_server), "httpOnly": True}])
    return context


def test_dashboard_walk_wide_and_phone(live_server: Any, transactional_db: None, city: City, browser: Any,
                                       tmp_path: Path) -> None:
    build_series(city)
    external: list[str] = []
    for width, height, lang in ((1366, 900, ""), (390, 844, ""), (390, 844, "/en")):
        context = _context(browser, live_server, city.users["credit"], width, height)
        page = context.new_page()
        violations = watch_csp(page)
        page.on("request", lambda r: external.append(r.url) if not r.url.startswith(str(live_server)) else None)
        try:
            page.goto(f"{live_server}{lang}/indicators/")
            m = page.locator("#ind-map")
            expect(m).to_have_attribute("data-ready", "1", timeout=10_000)
            expect(m.locator("canvas").first).to_be_visible()
            expect(page.locator("#ind-grid")).to_be_hidden()  # the map replaced the fallback grid
            option = page.evaluate("echarts.getInstanceByDom(document.getElementById('ind-map')).getOption()")
            levels = {d["name"]: d["value"] for d in option["series"][0]["data"]}
            assert len(levels) == 11 and levels["玄武区"] == 3 and levels["秦淮区"] == 2 and levels["鼓楼区"] == -1
            expect(page.locator("#ind-trend canvas").first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(tmp_path / f"dashboard_{width}{lang.replace('/', '_')}.png"), full_page=True)
            if width == 1366:
                # drill down: a number in the grid → the value, its inputs → the entered value behind it
                page.locator("table.ind-table td.cell.lv-red a").first.click()
                expect(page.locator("h1")).to_contain_text("债务率")
                expect(page.locator("ul.ind-behind")).to_contain_text("债务余额")
                page.locator("ul.ind-behind a").first.click()
                expect(page.locator("h1")).to_contain_text("债务")
                page.screenshot(path=str(tmp_path / "value_1366.png"), full_page=True)
            else:
                expect(page.locator("[data-menu-toggle]")).to_be_visible()
            assert not violations, violations[:3]
        finally:
            context.close()
    assert external == [], f"requests left the server: {external}"
    assert len(list(tmp_path.glob("*.png"))) == 4


def test_a_district_user_cannot_open_another_districts_values(live_server: Any, transactional_db: None,
                                                               city: City, browser: Any, tmp_path: Path) -> None:
    build_series(city)
    context = _context(browser, live_server, city.users["district"], 390, 844)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/indicators/")
        expect(page.locator("table.ind-table tbody tr")).to_have_count(1)
        expect(page.locator("table.ind-table")).to_contain_text("玄武区")
        response = page.goto(f"{live_server}/indicators/subjects/{city.orgs['qinhuai'].pk}/")
        assert response is not None and response.status == 404
        page.screenshot(path=str(tmp_path / "district_404.png"))
    finally:
        context.close()
