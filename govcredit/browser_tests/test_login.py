"""Logging in and out through the browser, and the lockout after repeated failures."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from govcredit.testing import PASSWORD, City

pytestmark = pytest.mark.browser

BAD_LOGIN = "用户名或密码错误，请重试。连续多次失败将被暂时锁定。"


def test_login_wrong_then_right_then_logout(live_server: object, transactional_db: None, city: City,
                                            page: Page, login: Callable[..., None]) -> None:
    login("credit", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("p.bad")).to_have_text(BAD_LOGIN)
    expect(page.locator("h1")).to_have_text("登录政务诚信信息平台")

    login("credit")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_have_text("工作台")
    # The credit office sees the whole city: 7 organisations, 2 civil servants.
    expect(page.locator("#stat-orgs")).to_have_text(str(len(city.orgs)))
    expect(page.locator("#stat-people")).to_have_text(str(len(city.people)))
    expect(page.locator(".userbox .who")).to_contain_text("credit")
    # Both records of the city are in the recent list.
    expect(page.locator("table.records")).to_contain_text("玄纪〔2025〕7号")
    expect(page.locator("table.records")).to_contain_text("秦市监罚〔2025〕12号")

    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("h1")).to_have_text("登录政务诚信信息平台")
    expect(page.locator(".userbox .who")).to_have_count(0)
    # Logged out for real: the front door is the public portal again, and staff pages send us to the login form.
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/portal/")
    page.goto(f"{live_server}/archive/records/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/archive/records/$"))


def test_repeated_failures_lock_the_account(live_server: object, transactional_db: None, city: City,
                                            page: Page, login: Callable[..., None]) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit):
        login("district", f"wrong-{attempt}")
        expect(page.locator("p.bad")).to_have_text(BAD_LOGIN)
    login("district", f"wrong-{limit}")
    expect(page.locator("h1")).to_have_text("账号已暂时锁定")
    # Even the right password does not get in now.
    login("district", PASSWORD)
    expect(page.locator("h1")).to_have_text("账号已暂时锁定")
    expect(page.locator("main")).to_contain_text("登录失败次数过多")
    expect(page.locator("h1", has_text="工作台")).to_have_count(0)
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/portal/")  # not logged in: the public front door
