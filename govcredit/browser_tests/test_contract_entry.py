"""A buying department's data officer in the browser: registers a procurement contract, records delivery,
sees the due date (rolled past holidays) and the interest to the day, records a payment and sees the interest
follow; the credit office files a supplier's complaint and forwards it, the department answers; and the
pages fit a phone (390 px)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from govcredit.core import clock
from govcredit.obligations.models import Contract
from govcredit.obligations.procurement import DEFAULT_DAILY_RATE, due_date, interest
from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_contract_registered_delivered_and_paid_with_due_date_and_interest(
        live_server: object, transactional_db: None, city: City, page: Page, login_as: Callable[[str], None]) -> None:
    today = clock.today()
    delivered = today - dt.timedelta(days=75)
    partly_paid = today - dt.timedelta(days=20)
    due = due_date(delivered, 30)
    base = str(live_server)

    login_as("submitter")  # 市场监督管理局's data officer
    page.goto(f"{base}/obligations/contracts/")
    with page.expect_navigation():
        page.locator("#contract-create").click()
    form = page.locator("#contract-form")
    form.locator("select[name=buyer]").select_option(label="南京市市场监督管理局")
    form.locator("input[name=number]").fill("浏览器-HT-9")
    form.locator("input[name=name]").fill("执法记录仪采购")
    form.locator("input[name=supplier_name]").fill("南京安视电子有限公司")
    form.locator("input[name=supplier_is_sme]").check()
    form.locator("input[name=amount]").fill("100000")
    form.locator("input[name=signed_on]").fill((today - dt.timedelta(days=100)).isoformat())
    form.locator("input[name=m1_label]").fill("全款")
    form.locator("input[name=m1_amount]").fill("100000")
    with page.expect_navigation():
        form.get_by_role("button", name="提交").click()
    expect(page.locator("#milestone-1 .due")).to_have_text("—")  # nothing delivered yet

    delivery = page.locator("#delivery-form")
    delivery.locator("input[name=delivered_on]").fill(delivered.isoformat())
    with page.expect_navigation():
        delivery.get_by_role("button", name="登记交付、验收").click()
    expect(page.locator("#delivered-on")).to_have_text(delivered.isoformat())
    expect(page.locator("#milestone-1 .due")).to_have_text(due.isoformat())
    unpaid = interest(due, Decimal("100000"), [], today, DEFAULT_DAILY_RATE)
    assert unpaid > 0
    expect(page.locator("#milestone-1 .interest")).to_have_text(f"{unpaid:.2f}")
    expect(page.locator("#total-interest")).to_have_text(f"{unpaid:.2f}")

    payment = page.locator("#payment-form")
    payment.locator("input[name=amount]").fill("40000")
    payment.locator("input[name=paid_on]").fill(partly_paid.isoformat())
    payment.locator("input[name=voucher]").fill("付字第9号")
    with page.expect_navigation():
        payment.get_by_role("button", name="登记付款").click()
    expect(page.locator("#payments")).to_contain_text("40000")
    after = interest(due, Decimal("100000"), [(partly_paid, Decimal("40000"))], today, DEFAULT_DAILY_RATE)
    assert after < unpaid
    expect(page.locator("#milestone-1 .interest")).to_have_text(f"{after:.2f}")

    contract = Contract.objects.get(number="浏览器-HT-9")
    milestone = contract.milestones.get()
    assert milestone.due_on == due and milestone.paid_amount == Decimal("40000")
    assert milestone.obligation is not None and milestone.obligation.amount == Decimal("60000")
    expect(page.locator("#contract-history")).to_contain_text("登记付款")

    # the supplier complains; the credit office records it and forwards it; the department answers
    page.context.clear_cookies()
    login_as("credit")
    page.goto(f"{base}/obligations/complaints/new/")
    page.fill("input[name=reference]", milestone.obligation.reference)
    page.fill("textarea[name=text]", "来电投诉：尾款逾期未付")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#complaint-state")).to_have_text("待转交")
    page.select_option("#complaint-act select[name=action]", "forward")
    page.fill("#complaint-act textarea[name=reason]", "转交市场监督管理局办理")
    with page.expect_navigation():
        page.locator("#complaint-act").get_by_role("button", name="提交").click()
    expect(page.locator("#complaint-state")).to_have_text("处理中")
    expect(page.locator("#complaint-due")).to_have_text((today + dt.timedelta(days=30)).isoformat())
    complaint_url = page.url

    page.context.clear_cookies()
    login_as("submitter")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(complaint_url)
    page.select_option("#complaint-act select[name=action]", "answer")
    page.fill("#complaint-act textarea[name=reason]", "已支付剩余款项及逾期利息")
    with page.expect_navigation():
        page.locator("#complaint-act").get_by_role("button", name="提交").click()
    expect(page.locator("#complaint-state")).to_have_text("已反馈")
    for url in ["/obligations/contracts/", "/obligations/contracts/new/", f"/obligations/contracts/{contract.pk}/",
                "/obligations/complaints/?show=all", complaint_url.replace(base, "")]:
        page.goto(base + url)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{url} is {scroll} px wide at 390 px"
    milestone.obligation.refresh_from_db()
    assert milestone.obligation.is_owed and milestone.obligation.amount == Decimal("60000")  # answered, not paid
