"""A district user sees its own subtree only, in search results and by direct URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_district_cannot_find_or_open_qinhuai(live_server: object, transactional_db: None, city: City,
                                              page: Page, login_as: Callable[[str], None]) -> None:
    login_as("district")
    page.goto(f"{live_server}/subjects/orgs/?q=秦淮")
    expect(page.locator("h1")).to_have_text("单位")
    expect(page.locator("form.search input[name=q]")).to_have_value("秦淮")
    rows = page.locator("#org-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("没有符合条件的单位")
    expect(page.locator("#org-table tbody a")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("共 0 条")

    # Sanity check that the search does work for the district's own subtree.
    page.goto(f"{live_server}/subjects/orgs/?q=玄武")
    expect(page.locator("#org-table tbody a")).to_have_count(2)

    response = page.goto(f"{live_server}/subjects/orgs/{city.orgs['qinhuai'].pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")  # the site's own 404 page, in its frame
    assert "南京市秦淮区人民政府" not in page.content()
    assert city.orgs["qinhuai"].credit_code not in page.content()
