"""Investment promises in the browser: a district registers a promise and gets its number and query code,
a change without its legal basis is refused on the page, a lawful change is shown with the old terms, and
the investor follows the promise on the public page without logging in, masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from govcredit.core import clock
from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_promise_registered_changed_lawfully_and_followed(live_server: object, transactional_db: None, city: City,
                                                          page: Page, login_as: Callable[[str], None]) -> None:
    today = clock.today()
    login_as("district")
    page.goto(f"{live_server}/commitments/promises/")
    with page.expect_navigation():
        page.get_by_role("link", name="登记承诺").click()
    page.select_option("select[name=org]", label="南京市玄武区人民政府")
    page.fill("input[name=investor_name]", "张三丰")
    page.fill("input[name=contact]", "13912345678")
    page.select_option("select[name=kind]", "补贴")
    page.fill("textarea[name=terms]", "项目落地后给予张三丰奖励资金，联系电话13912345678")
    page.fill("input[name=legal_basis]", "《南京市招商引资优惠政策》第五条")
    page.fill("input[name=document]", "投资协议〔2026〕7号")
    page.fill("input[name=amount]", "300")
    page.fill("input[name=promised_on]", (today - dt.timedelta(days=30)).isoformat())
    page.fill("input[name=due_on]", (today + dt.timedelta(days=60)).isoformat())
    page.fill("input[name=responsible_post]", "区长")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    number = page.locator("#registered-number").inner_text().strip()
    code = page.locator("#registered-code").inner_text().strip()
    assert number.startswith("ZS") and len(code) == 8

    with page.expect_navigation():
        page.get_by_role("link", name="查看承诺").click()
    expect(page.locator("#promise-status")).to_have_text("履行中")
    with page.expect_navigation():
        page.locator("#change-link").click()
    page.fill("textarea[name=reason]", "新一届区政府决定不再兑现")
    page.fill("input[name=new_due_on]", (today + dt.timedelta(days=200)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#change-form")).to_contain_text("请填写变更的法律依据")
    page.fill("input[name=legal_basis]", "《优化营商环境条例》第三十一条")
    page.fill("input[name=procedure]", "区政府常务会议纪要〔2026〕9号")
    page.fill("textarea[name=reason]", "上位规划调整")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#promise-status")).to_have_text("已依法变更")
    expect(page.locator("#changes")).to_contain_text("区政府常务会议纪要〔2026〕9号")
    expect(page.locator("#promise-due")).to_have_text((today + dt.timedelta(days=200)).isoformat())

    page.context.clear_cookies()
    page.goto(f"{live_server}/commitments/follow/")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", "WRONG123")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("#follow-error")).to_be_visible()
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("#follow-status")).to_contain_text("已依法变更")
    expect(page.locator("#follow-investor")).to_have_text("张*丰")
    expect(page.locator("#follow-changes")).to_contain_text("《优化营商环境条例》第三十一条")
    body = page.content()
    assert "张三丰" not in body and "13912345678" not in body


def test_pages_fit_a_phone(live_server: object, transactional_db: None, city: City, page: Page,
                           login_as: Callable[[str], None]) -> None:
    from govcredit.commitments.tests.helpers import add_commitments

    add_commitments(city)
    page.set_viewport_size({"width": 390, "height": 844})
    login_as("district")
    base = str(live_server)
    for url in ["/commitments/projects/", f"/commitments/projects/{city.project.pk}/",
                f"/commitments/duties/{city.duty.pk}/", "/commitments/promises/?turnover=on",
                f"/commitments/promises/{city.promise.pk}/",
                f"/commitments/promises/{city.promise.pk}/change/", "/commitments/follow/",
                "/commitments/import/", f"/commitments/import/runs/{city.commitment_job.pk}/"]:
        page.goto(base + url)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{url} is {scroll} px wide at 390 px"


def test_import_from_the_menu_at_390_px(live_server: object, transactional_db: None, city: City, page: Page,
                                        login_as: Callable[[str], None], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """A district opens the import page from its menu on a phone, uploads a workbook with a bad row, lands on the
    run's page (the task queue runs in-process here: django-q2's sync mode), reads the new promise's query code
    and the rejected row, and the page still fits the screen."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    settings.MEDIA_ROOT = tmp_path / "media"
    from govcredit.commitments.importer import PROJECTS, PROMISES
    from govcredit.commitments.tests.test_import import promise_row, stage_row, workbook

    xuanwu = city.orgs["xuanwu"].credit_code
    path = workbook(tmp_path / "导入.xlsx", {
        PROJECTS: [stage_row("XW-PPP-01", xuanwu, "识别", "2026-01-05"), stage_row("XW-PPP-01", xuanwu, "准备", "2026-03-01")],
        PROMISES: [promise_row("XW-ZS-001", xuanwu), promise_row("XW-ZS-002", xuanwu, 承诺类别="奖励")]})
    page.set_viewport_size({"width": 390, "height": 844})
    login_as("district")
    page.goto(f"{live_server}/")
    page.locator("[data-menu-toggle]").click()
    with page.expect_navigation():
        page.get_by_role("link", name="导入项目和承诺").click()
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    assert "/commitments/import/runs/" in page.url
    expect(page.locator("#import-codes")).to_contain_text("XW-ZS-001")
    expect(page.locator("#import-errors")).to_contain_text("承诺类别")
    expect(page.locator("#import-result")).to_contain_text("新建项目 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告（XLSX）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
