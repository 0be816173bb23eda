"""The personnel office's query with a purpose → credit report → PDF download → public verification."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from govcredit.remedies.services import act_on_objection
from govcredit.reports.models import ArchiveQuery
from govcredit.testing import XUANWU_ID, City, add_remedies

pytestmark = pytest.mark.browser


def test_query_report_pdf_and_verification(live_server: object, transactional_db: None, city: City, page: Page,
                                           login_as: Callable[[str], None], settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    add_remedies(city)  # an objection on the discipline record, a repair applied for on a 统计造假 finding
    base = str(live_server)
    login_as("personnel")
    page.goto(f"{base}/reports/query/")
    page.locator("#id_q").fill("王小明")
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    with page.expect_navigation():
        page.locator("#found-people").get_by_role("link", name="查询").click()
    page.locator("#id_purpose").select_option("职务晋升")
    page.locator("#id_case_reference").fill("宁组干考〔2026〕12号")
    with page.expect_navigation():
        page.locator("#purpose-form button").click()
    expect(page.locator("#query-purpose")).to_contain_text("宁组干考〔2026〕12号")
    expect(page.locator("#archive-records")).to_contain_text("玄纪〔2025〕7号")
    assert XUANWU_ID not in page.content()
    with page.expect_navigation():
        page.locator("#issue-report").click()
    expect(page.locator("#conclusion")).to_contain_text("有政务失信记录 2 条")
    objection = city.objection.number
    expect(page.locator("table", has=page.get_by_role("columnheader", name="异议理由"))).to_contain_text(objection)
    expect(page.locator("table", has=page.get_by_role("columnheader", name="异议理由"))).to_contain_text("待受理")
    expect(page.get_by_role("heading", name="信用修复")).to_be_visible()
    expect(page.get_by_role("heading", name="容错纠错认定")).to_be_visible()
    number = page.locator("#report-number").inner_text()
    code = page.locator("#verify-code strong").inner_text()
    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")
    assert objection in text and "待受理" in text and "玄统认〔2026〕1号" in text
    assert list(ArchiveQuery.objects.values_list("action", flat=True).order_by("pk")) == ["查阅档案", "出具信用报告"]

    # Anyone, not logged in, checks the report by number and code, and by the file.
    page.context.clear_cookies()
    page.goto(f"{base}/reports/verify/")
    page.locator("#id_number").fill(number)
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.locator("#verify-form button").click()
    expect(page.locator("#verify-result")).to_contain_text("报告真实有效")
    expect(page.locator("#verify-changed")).to_contain_text("没有变化")
    expect(page.locator("#verify-subject")).to_contain_text("王*明（")
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf.replace(b"/Producer", b"/Producex", 1) + b"%")
    page.locator("#id_file").set_input_files(str(forged))
    with page.expect_navigation():
        page.locator("#verify-file-form button").click()
    expect(page.locator("#verify-result")).to_contain_text("已被修改")

    # The objection is taken up after the report was issued: the report is still genuine, the archive has changed.
    act_on_objection(city.objection, "accept", city.users["credit"], "受理")
    page.goto(f"{base}/reports/verify/?number={number}&code={code}")
    expect(page.locator("#verify-result")).to_contain_text("报告真实有效")
    expect(page.locator("#verify-changed")).to_contain_text("已有变化")
