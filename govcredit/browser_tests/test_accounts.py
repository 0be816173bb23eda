"""The credit office creates a user, picking the organisation by typing; the new user must change the
temporary password before anything else. The user and history pages fit a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.testing import City

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Qinhuai-2027-passphrase"  # noqa: S105 - a test user's password


def test_user_creation_then_forced_password_change(live_server: object, transactional_db: None, city: City,
                                                   page: Page, login_as: Callable[[str], None],
                                                   login: Callable[..., None]) -> None:
    login_as("credit")
    page.goto(f"{live_server}/accounts/users/new/")
    page.fill("#id_username", "qh_clerk")
    page.fill("#id_display_name", "孙办事员")
    page.select_option("#id_role", "submitter")
    page.fill("#org-text", "秦淮")
    choice = page.locator("[data-org-results] button", has_text="南京市秦淮区人民政府")
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator("#org-text")).to_have_value("南京市秦淮区人民政府")
    with page.expect_navigation():
        page.get_by_role("button", name="创建", exact=True).click()
    message = page.locator("ul.messages").inner_text()
    found = re.search(r"临时密码：([A-Za-z0-9]{12})", message)
    assert found, message
    expect(page.locator("#account-org")).to_have_text("南京市秦淮区人民政府")
    expect(page.locator("#account-history > li")).to_have_count(1)
    expect(page.locator("#account-history .what")).to_have_text("创建用户")
    expect(page.locator("#account-history .who")).to_contain_text("credit（南京市发展和改革委员会）")

    page.context.clear_cookies()
    login("qh_clerk", found[1])
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.locator("#password-required")).to_be_visible()
    page.goto(f"{live_server}/archive/records/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))  # nothing else opens
    page.fill("#id_old_password", found[1])
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    with page.expect_navigation():
        page.locator("#password-change button").click()
    expect(page.locator("ul.messages")).to_contain_text("密码已修改。")
    page.goto(f"{live_server}/archive/records/")
    expect(page).to_have_url(re.compile(r"/archive/records/$"))


def test_user_and_history_pages_fit_a_phone(live_server: object, transactional_db: None, city: City, page: Page,
                                            login_as: Callable[[str], None]) -> None:
    record = city.records["xuanwu_discipline"]
    change_status(record, RecordStatus.OBJECTION, actor=city.users["credit"], reason="当事人提出异议，待核查" * 5)
    login_as("credit")
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (reverse("accounts:user_list"), reverse("accounts:user_create"),
                reverse("accounts:user_detail", args=[city.users["district"].pk]), reverse("ledger:overview"),
                reverse("archive:record_detail", args=[record.pk])):
        page.goto(f"{live_server}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"
