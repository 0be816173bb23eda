"""The breach path in the browser: an overdue payment becomes a candidate (never a record by itself), the
credit office confirms it, and the dishonesty records are in the archive with their measures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from govcredit.archive.models import CreditRecord
from govcredit.core import clock
from govcredit.obligations.models import BreachCandidate
from govcredit.obligations.procurement import MilestoneSpec, register_contract
from govcredit.obligations.services import mark_obligations
from govcredit.sanctions.models import AppliedMeasure
from govcredit.testing import City

pytestmark = pytest.mark.browser


def test_overdue_payment_candidate_confirmed_into_the_archive(live_server: object, transactional_db: None,
                                                              city: City, page: Page,
                                                              login_as: Callable[[str], None]) -> None:
    today = clock.today()
    contract = register_contract(
        number="浏览器-HT-1", name="社区服务中心装修", buyer=city.orgs["xinjiekou"], supplier_name="南京匠心装饰工程有限公司",
        supplier_is_sme=True, amount=Decimal("150000"), signed_on=today - dt.timedelta(days=150),
        milestones=[MilestoneSpec("竣工结算款", Decimal("150000"))], actor="test",
        delivered_on=today - dt.timedelta(days=100), responsible_person=city.people["xuanwu"])
    ob = contract.milestones.get().obligation
    assert ob is not None
    mark_obligations(today)  # the daily job: overdue, past the grace period → a candidate, no record
    candidate = BreachCandidate.objects.get(obligation=ob)
    assert not CreditRecord.objects.filter(record_type__code="tqzk").exists()

    login_as("district")  # 玄武区 sees its street office's overdue payment
    page.goto(f"{live_server}/obligations/")
    expect(page.locator("#obligations")).to_contain_text("浏览器-HT-1")
    page.get_by_role("link", name="浏览器-HT-1").click()
    expect(page.locator("#obligation-status")).to_have_text("已逾期")

    login_as("credit")
    page.goto(f"{live_server}/obligations/candidates/")
    with page.expect_navigation():
        page.locator("#candidates a").first.click()
    expect(page.locator("#candidate-state")).to_have_text("待确认")
    form = page.locator("#confirm-form")
    form.locator("#id_severity").select_option("一般")
    form.locator("#id_reason").fill("经核实，逾期未支付中小企业工程款")
    with page.expect_navigation():
        form.get_by_role("button", name="确认").click()
    expect(page.locator("#candidate-state")).to_have_text("已确认")
    with page.expect_navigation():
        page.locator("#org-record").click()
    expect(page.locator("body")).to_contain_text("拖欠中小企业账款")
    candidate.refresh_from_db()
    assert candidate.org_record_id is not None and candidate.person_record_id is not None
    record = CreditRecord.objects.get(pk=candidate.org_record_id)
    assert record.subject_org == city.orgs["xinjiekou"]
    assert AppliedMeasure.objects.filter(record=record).exists()
    assert CreditRecord.objects.filter(pk=candidate.person_record_id, subject_person=city.people["xuanwu"]).exists()
