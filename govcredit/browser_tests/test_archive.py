"""A person's archive timeline, a record's ledger history, and changing a record's status."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from govcredit.archive.models import CreditRecord
from govcredit.testing import City

pytestmark = pytest.mark.browser

NUMBER = "玄纪〔2025〕7号"


def _timeline_item(page: Page) -> Locator:
    return page.locator("#archive-timeline li", has_text=NUMBER)


def test_district_reads_archive_and_record_history(live_server: object, transactional_db: None, city: City,
                                                   page: Page, login_as: Callable[[str], None]) -> None:
    login_as("district")
    person = city.people["xuanwu"]
    page.goto(f"{live_server}/subjects/people/{person.pk}/")
    expect(page.locator("h1")).to_have_text("王小明")
    item = _timeline_item(page)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("纪律处分")
    expect(item).to_contain_text("2025-03-05")
    expect(item.locator(".badge.s-有效")).to_have_text("有效")
    # The 秦淮 penalty is not about him and is outside the district's scope.
    expect(page.locator("#archive-timeline li")).to_have_count(1)

    with page.expect_navigation():
        item.get_by_role("link", name=NUMBER).click()
    record = city.records["xuanwu_discipline"]
    expect(page).to_have_url(f"{live_server}/archive/records/{record.pk}/")
    expect(page.locator("h1")).to_contain_text(f"纪律处分：{NUMBER}")
    expect(page.locator("#record-status")).to_have_text("有效")
    expect(page.locator("dl.fields")).to_contain_text("警告")
    rows = page.locator("#record-history > li")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".who")).to_have_text("test")
    expect(rows.first.locator(".what")).to_have_text("录入信用记录")
    expect(rows.first).to_contain_text("理由：录入")
    # The district may read but not change the status.
    expect(page.get_by_role("heading", name="变更状态")).to_have_count(0)
    expect(page.locator("select[name=status]")).to_have_count(0)


def test_credit_office_changes_status_to_objection(live_server: object, transactional_db: None, city: City,
                                                   page: Page, login_as: Callable[[str], None]) -> None:
    login_as("credit")
    record = city.records["xuanwu_discipline"]
    page.goto(f"{live_server}/archive/records/{record.pk}/")
    expect(page.locator("#record-status")).to_have_text("有效")
    expect(page.locator("#record-history > li")).to_have_count(1)

    page.select_option("select[name=status]", "异议中")
    page.fill("textarea[name=reason]", "当事人提出异议，待核查")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page).to_have_url(f"{live_server}/archive/records/{record.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("状态已变更为“异议中”，已留痕。")
    expect(page.locator("#record-status")).to_have_text("异议中")
    expect(page.locator("#record-status")).to_have_class("badge s-异议中")
    rows = page.locator("#record-history > li")
    expect(rows).to_have_count(2)
    last = rows.nth(1)
    credit = city.users["credit"]
    assert credit.organization is not None
    expect(last.locator(".who")).to_have_text(f"{credit.get_full_name() or 'credit'}（{credit.organization.name}）")
    expect(last.locator(".what")).to_have_text("变更记录状态")
    expect(last).to_contain_text("理由：当事人提出异议，待核查")
    expect(last.locator(".changes li")).to_have_text("状态：有效 → 异议中")
    assert CreditRecord.objects.get(pk=record.pk).status == "异议中"

    with page.expect_navigation():
        page.locator("dl.fields").get_by_role("link", name="王小明").click()
    expect(page.locator("h1")).to_have_text("王小明")
    item = _timeline_item(page)
    expect(item.locator(".badge.s-异议中")).to_have_text("异议中")
    expect(item.locator(".badge.s-有效")).to_have_count(0)
