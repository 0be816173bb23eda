"""Searching subjects and reading their pages; full ID numbers only for roles that may see them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.subjects.identifiers import mask_id_number
from govcredit.testing import XUANWU_ID, City

pytestmark = pytest.mark.browser


def _search(page: Page, base_url: str, path: str, q: str) -> None:
    page.goto(f"{base_url}{path}")
    page.locator("form.search input[name=q]").fill(q)
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()


def _open_person(page: Page, base_url: str) -> None:
    _search(page, base_url, "/subjects/people/", "王小明")
    rows = page.locator("#person-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("玄武区新街口街道办事处")
    with page.expect_navigation():
        rows.first.get_by_role("link", name="王小明").click()
    expect(page.locator("h1")).to_have_text("王小明")


def test_credit_office_searches_orgs_and_people(live_server: object, transactional_db: None, city: City,
                                                page: Page, login_as: Callable[[str], None]) -> None:
    login_as("credit")
    _search(page, str(live_server), "/subjects/orgs/", "玄武")
    expect(page).to_have_url(re.compile(r"/subjects/orgs/\?q=%E7%8E%84%E6%AD%A6"))
    names = page.locator("#org-table tbody tr td:first-child")
    # Exactly the two organisations whose name contains 玄武 (the district and its sub-district).
    expect(names).to_have_text(["南京市玄武区人民政府", "玄武区新街口街道办事处"])
    expect(page.locator("#org-table")).not_to_contain_text("秦淮")

    with page.expect_navigation():
        page.locator("#org-table a", has_text="南京市玄武区人民政府").click()
    expect(page).to_have_url(f"{live_server}/subjects/orgs/{city.orgs['xuanwu'].pk}/")
    expect(page.locator("h1")).to_have_text("南京市玄武区人民政府")
    expect(page.locator("dl.fields")).to_contain_text(city.orgs["xuanwu"].credit_code)
    expect(page.locator("dl.fields")).to_contain_text("320102")
    expect(page.locator(".breadcrumb")).to_contain_text("南京市人民政府")

    # People: even the credit office sees the number masked on the person's page; the full number is a
    # separate step that asks for the purpose and is logged (the reports app).
    _open_person(page, str(live_server))
    expect(page).to_have_url(f"{live_server}/subjects/people/{city.people['xuanwu'].pk}/")
    expect(page.locator("#id-number")).to_contain_text(mask_id_number(XUANWU_ID))
    assert XUANWU_ID not in page.content()
    page.locator("#reveal-link").click()
    page.locator("#id_purpose").select_option("其他")
    page.locator("#id_purpose_text").fill("核对人事档案")
    page.locator("#id_case_reference").fill("核-2026-3")
    with page.expect_navigation():
        page.locator("#purpose-form button").click()
    expect(page.locator("#id-number")).to_have_text(mask_id_number(XUANWU_ID))
    with page.expect_navigation():
        page.locator("#reveal").click()
    expect(page.locator("#id-number")).to_have_text(XUANWU_ID)


def test_person_masked_id_for_district(live_server: object, transactional_db: None, city: City, page: Page,
                                       login_as: Callable[[str], None]) -> None:
    masked = mask_id_number(XUANWU_ID)
    assert masked == XUANWU_ID[:4] + "*" * 10 + XUANWU_ID[-4:]
    login_as("district")
    _search(page, str(live_server), "/subjects/people/", "王小明")
    expect(page.locator("#person-table tbody tr").first).to_contain_text(masked)
    assert XUANWU_ID not in page.content()
    _open_person(page, str(live_server))
    expect(page).to_have_url(f"{live_server}/subjects/people/{city.people['xuanwu'].pk}/")
    expect(page.locator("#id-number")).to_have_text(masked)
    html = page.content()
    assert XUANWU_ID not in html
    # Nor the masked middle part (birth date and serial number) anywhere on the page.
    assert XUANWU_ID[4:14] not in html
