"""Objection and credit repair in the browser: the subject files, the portal shows it, the department
decides, the applicant sees the outcome; an approved repair takes the record off the portal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.disclosure.services import sync
from govcredit.testing import City

pytestmark = pytest.mark.browser

PDF: FilePayload = {"name": "证明.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


@pytest.fixture
def published(city: City, settings: Any, tmp_path: Any) -> CreditRecord:
    """A 统计造假 finding about the subject (王小明), decided four months ago and on the portal."""
    settings.MEDIA_ROOT = tmp_path
    decided = clock.today() - dt.timedelta(days=124)
    record = record_decision(RecordType.objects.get(code="tjzj").current(), {
        "认定文号": "玄统认〔2026〕5号", "认定机关": "玄武区统计局", "认定日期": decided.isoformat(),
        "统计违法事实": "虚报统计数据", "严重程度": "一般"},
        issuing_org=city.orgs["xuanwu"], subject_person=city.people["xuanwu"], actor="test")
    sync()
    return record


def _switch(page: Page, login_as: Callable[[str], None], username: str) -> None:
    page.context.clear_cookies()
    login_as(username)


def test_objection_filed_shown_on_portal_decided_and_seen(live_server: object, transactional_db: None,
                                                         published: CreditRecord, page: Page,
                                                         login_as: Callable[[str], None]) -> None:
    login_as("subject")
    page.goto(f"{live_server}/archive/records/{published.pk}/")
    with page.expect_navigation():
        page.locator("#record-remedies").get_by_role("link", name="提出异议").click()
    page.select_option("select[name=ground]", "记录内容有误")
    page.fill("textarea[name=reasons]", "认定的统计数据并非本人填报")
    page.set_input_files("input[name=attachments]", files=[PDF])
    with page.expect_navigation():
        page.get_by_role("button", name="提交异议").click()
    number = page.locator("#filed-number").inner_text()
    code = page.locator("#filed-code").inner_text()
    assert number.startswith("YY") and len(code) == 10

    page.goto(f"{live_server}/portal/{published.publication.pk}/")
    expect(page.locator("#portal-status")).to_have_text("异议中")

    _switch(page, login_as, "district")
    page.goto(f"{live_server}/remedies/")
    with page.expect_navigation():
        page.locator("#objections").get_by_role("link", name=number).click()
    expect(page.locator("#case-files")).to_contain_text("证明.pdf")
    page.select_option("select[name=action]", "accept")
    page.fill("textarea[name=reason]", "材料齐全，予以受理")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#case-status")).to_have_text("核查中")
    page.select_option("select[name=action]", "uphold")
    page.fill("textarea[name=reason]", "经核查，数据由本人签字报送，予以维持")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#case-status")).to_have_text("维持原记录")

    _switch(page, login_as, "subject")
    page.goto(f"{live_server}/remedies/")
    with page.expect_navigation():
        page.locator("#objections").get_by_role("link", name=number).click()
    expect(page.locator("#outcome")).to_have_text("维持原记录")
    expect(page.locator("#outcome-reason")).to_have_text("经核查，数据由本人签字报送，予以维持")
    expect(page.locator("#record-status")).to_have_text("有效")

    page.context.clear_cookies()  # and without logging in, by number and code
    page.goto(f"{live_server}/remedies/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("#track-outcome")).to_have_text("维持原记录")
    page.goto(f"{live_server}/portal/{published.publication.pk}/")
    expect(page.locator("#portal-status")).to_have_text("公示中")


def test_repair_approved_takes_the_record_off_the_portal(live_server: object, transactional_db: None,
                                                         published: CreditRecord, page: Page,
                                                         login_as: Callable[[str], None]) -> None:
    portal = f"{live_server}/portal/{published.publication.pk}/"
    page.goto(portal)
    expect(page.locator("#portal-title")).to_be_visible()

    login_as("subject")
    page.goto(f"{live_server}/archive/records/{published.pk}/")
    with page.expect_navigation():
        page.locator("#record-remedies").get_by_role("link", name="申请信用修复").click()
    with page.expect_navigation():
        page.locator("#commitment-link").click()
    expect(page.locator("#commitment h1")).to_have_text("信用承诺书")
    page.go_back()
    with page.expect_download() as download:  # the commitment as a PDF, signed and uploaded back
        page.locator("#commitment-pdf").click()
    signed = Path(download.value.path()).read_bytes()
    assert signed.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    page.fill("textarea[name=corrected]", "已更正统计数据并参加统计法培训")
    page.set_input_files("input[name=commitment]", files=[FilePayload(name="信用承诺书.pdf", mimeType=PDF["mimeType"], buffer=signed)])
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    number = page.locator("#filed-number").inner_text()

    _switch(page, login_as, "district")
    page.goto(f"{live_server}/remedies/")
    with page.expect_navigation():
        page.locator("#repairs").get_by_role("link", name=number).click()
    for action, reason in (("accept", "材料齐全"), ("approve", "已纠正失信行为并作出信用承诺")):
        page.select_option("select[name=action]", action)
        page.fill("textarea[name=reason]", reason)
        with page.expect_navigation():
            page.get_by_role("button", name="提交").click()
    expect(page.locator("#case-status")).to_have_text("已修复")
    expect(page.locator("#record-status")).to_have_text("已修复")

    page.context.clear_cookies()
    response = page.goto(portal)
    assert response is not None and response.status == 404
