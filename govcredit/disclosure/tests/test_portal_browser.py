"""A visitor in a real browser (Debian chromium): landing page → search → results → detail, no login."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.testing import City

from .portal_data import code, penalty, pub_of, publish

# Playwright's sync API runs an event loop in the test thread; the ORM calls made there are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def test_search_results_detail(live_server: object, transactional_db: None, city: City, page: Page) -> None:
    red = penalty(city, "玄市监罚〔2026〕501号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(51), legal_rep="赵铁柱",
                  facts="法定代表人赵铁柱（手机13812345678）未按规定进行索证索票")
    other = penalty(city, "玄市监罚〔2026〕502号", "南京玄武湖游船服务有限公司", credit_code=code(52))
    penalty(city, "玄市监罚〔2026〕503号", "南京秦淮河畔茶社有限公司", credit_code=code(53))
    publish()
    change_status(other, RecordStatus.OBJECTION, actor="credit", reason="收到异议")

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server}/portal/")
    expect(page.locator("h1")).to_have_text("信用信息公示查询")
    page.fill("#portal-q", "玄武")
    with page.expect_navigation():
        page.click("#portal-submit")

    rows = page.locator("#portal-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(".portal-pager").first).to_contain_text("共 2 条")
    expect(rows.filter(has_text="南京玄武湖游船服务有限公司").locator(".badge")).to_have_text("异议中")
    expect(page.locator("#portal-results")).not_to_contain_text("秦淮河畔")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal_results.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("link", name="南京市玄武区红山餐饮管理有限公司").click()
    expect(page).to_have_url(f"{live_server}/portal/{pub_of(red).pk}/")
    expect(page.locator("#portal-title")).to_have_text("南京市玄武区红山餐饮管理有限公司")
    fields = page.locator("#portal-fields")
    expect(fields).to_contain_text("玄市监罚〔2026〕501号")
    expect(fields).to_contain_text("赵*柱")
    expect(fields).to_contain_text("138****5678")
    expect(fields).not_to_contain_text("赵铁柱")
    expect(page.locator("#portal-status")).to_have_text("公示中")
    page.screenshot(path=str(SHOTS / "portal_detail.png"), full_page=True)

    # a one-character query gets the Chinese hint instead of a list
    page.goto(f"{live_server}/portal/")
    page.fill("#portal-q", "玄")
    with page.expect_navigation():
        page.click("#portal-submit")
    expect(page.locator("#portal-error")).to_contain_text("请至少输入两个字")
    assert all(url.startswith(str(live_server)) for url in requests), "no request may leave the site (no CDN)"
