"""The credit office asks for a whole-ledger verification from the ledger page and sees its result."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django_q.conf import Conf
from playwright.sync_api import Page, expect

from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_verify_ledger(live_server: object, transactional_db: None, city: City, page: Page,
                       login_as: Callable[[str], None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # the task queue runs the verification in-process
    login_as("credit")
    page.goto(f"{live_server}/ledger/")
    expect(page.locator("h1")).to_have_text("留痕账本")
    expect(page.locator("#verify-result")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("button", name="立即核验全部账本").click()
    result = page.locator("#verify-result")
    expect(result).to_have_text(re.compile(r"^核验通过：\d+ 条留痕记录，\d+ 条数据，未发现篡改。$"))
    expect(result).to_have_class("ok")
