"""Every main page, the ECharts charts and Swagger UI work under the site's strict Content-Security-Policy
(no inline script, style or handler): a real browser reports no violation, and the scripts still run."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.statistics import services as statistics
from govcredit.statistics.tests.factories import licence, penalty, publish
from govcredit.testing import City, on_day

pytestmark = [pytest.mark.browser, pytest.mark.time_machine(on_day(dt.date(2026, 6, 15)))]


def _visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url


def test_main_pages_charts_and_api_docs_work_under_the_policy(
        live_server: object, transactional_db: None, city: City, page: Page,
        login_as: Callable[[str], None]) -> None:
    """The ``page`` fixture fails the test on any violation; here every main page is visited."""
    publish(penalty(city, "scjg", "宁市监罚〔2025〕91号", "2025-09-30", serial=91), "2025-10-10")
    publish(licence(city, "xinjiekou", "新街口许〔2025〕93号", "2025-11-03", serial=93), "2025-11-04")
    statistics.refresh()
    base = str(live_server)
    login_as("credit")
    record = city.records["xuanwu_discipline"]
    for url in ["/", "/subjects/orgs/", f"/subjects/orgs/{city.orgs['xuanwu'].pk}/", "/subjects/people/",
                f"/subjects/people/{city.people['xuanwu'].pk}/", "/archive/records/", f"/archive/records/{record.pk}/",
                "/intake/", "/catalog/", "/catalog/xzcf/", "/ledger/", "/exchange/national/",
                "/exchange/open-data/", "/portal/", "/portal/search/?q=南京"]:
        _visit(page, base + url)

    # The type picker submits itself when changed (site.js; no inline handler).
    _visit(page, f"{base}/archive/records/new/")
    with page.expect_navigation():
        page.select_option("select[name=record_type]", label="纪律处分")
    expect(page).to_have_url(re.compile(r"record_type=\d+"))
    expect(page.locator("form.card button[type=submit]")).to_be_visible()

    # Both charts are drawn, and their tooltips (ECharts writes them as HTML) break nothing.
    for url, chart in [("/portal/statistics/?months=24", "#trend-chart"),
                       ("/portal/statistics/internal/?start=2025-01&end=2025-12", "#ranking-chart")]:
        _visit(page, base + url)
        expect(page.locator(chart)).to_have_attribute("data-rendered", "1")
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box is not None and box["width"] > 300
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(300)

    # Swagger UI renders the operations and expands one.
    _visit(page, f"{base}/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    # Expanding sets the URL's #fragment (deep linking); on a loaded machine Playwright's wait for that
    # "navigation" outlasted its timeout, so the test waits for the expanded body instead.
    page.locator(".swagger-ui .opblock-summary").first.click(no_wait_after=True)
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()

    # The language switcher submits itself too.
    _visit(page, f"{base}/")
    with page.expect_navigation():
        page.select_option(".userbox select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
