"""The language switcher in the top bar."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_switch_to_english(live_server: object, transactional_db: None, city: City, page: Page,
                           login_as: Callable[[str], None]) -> None:
    login_as("credit")
    page.goto(f"{live_server}/")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    with page.expect_navigation():
        page.select_option(".userbox select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/en/$"))
    # Still the same page, fully rendered, for the same user.
    expect(page.locator("#stat-orgs")).to_have_text(str(len(city.orgs)))
    expect(page.locator(".userbox .who")).to_contain_text("credit")
    expect(page.locator(".userbox select[name=language]")).to_have_value("en")
    # The choice sticks when following a link.
    with page.expect_navigation():
        page.locator(".mainnav a[href$='/subjects/orgs/']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#org-tree")).to_be_visible()
