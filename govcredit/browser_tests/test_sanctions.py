"""Joint punishments in the browser: a fault-tolerance finding waives a measure; an overdue rectification
is escalated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from govcredit.core import clock
from govcredit.sanctions.models import AppliedMeasure
from govcredit.sanctions.tests.helpers import PDF, breach
from govcredit.sanctions.workflow import RECTIFICATION
from govcredit.testing import City
from govcredit.workflow.models import Case
from govcredit.workflow.services import mark_overdue

pytestmark = pytest.mark.browser


def test_fault_tolerance_finding_waives_the_measure(live_server: object, transactional_db: None, city: City,
                                                    page: Page, login_as: Callable[[str], None], settings: Any,
                                                    tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = breach(city)
    measure = AppliedMeasure.objects.get(record=record, measure_version__measure_type__code="qx-pxpy")

    login_as("district")  # 玄武区 applies for its street office and gives the department's opinion
    page.goto(f"{live_server}/sanctions/measures/{measure.pk}/")
    expect(page.locator("#measure-status")).to_have_text("执行中")
    with page.expect_navigation():
        page.locator("#apply-fault-tolerance").click()
    page.get_by_label("及时停止损害").check()
    page.fill("#id_statement", "发现逾期后当日付清款项，未造成损失")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator("#case-status")).to_have_text("待单位意见")
    page.select_option("#id_to_state", "待信用办审查")
    page.fill("#id_reason", "单位意见：情况属实，建议免除")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#case-status")).to_have_text("待信用办审查")
    case_url = page.url

    login_as("credit")  # the credit office reviews and records the collective decision
    page.goto(case_url)
    page.select_option("#id_to_state", "待集体决策")
    page.fill("#id_reason", "审查通过，提交集体决策")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    expect(page.locator("#case-status")).to_have_text("待集体决策")
    minutes = tmp_path / "集体决策会议纪要.pdf"
    minutes.write_bytes(PDF)
    form = page.locator("#finding-form")
    form.locator("#id_outcome").select_option("免除")
    form.locator("#id_meeting_on").fill(clock.today().isoformat())
    form.locator("#id_deciders").fill("张主任、李副主任、王处长")
    form.locator("#id_minutes").set_input_files(str(minutes))
    form.locator("#id_reason").fill("及时止损，免除措施")
    with page.expect_navigation():
        form.get_by_role("button", name="录入").click()
    expect(page.locator("#case-status")).to_have_text("已认定")
    expect(page.locator("#finding")).to_contain_text("张主任、李副主任、王处长")

    page.goto(f"{live_server}/sanctions/measures/{measure.pk}/")
    expect(page.locator("#measure-status")).to_have_text("已结束")
    expect(page.locator("#measure-end")).to_contain_text("容错免除")
    page.goto(f"{live_server}/subjects/orgs/{city.orgs['xinjiekou'].pk}/")
    expect(page.locator("#subject-measures")).to_contain_text("容错免除")
    expect(page.locator("#subject-fault-tolerance")).to_contain_text("免除措施")


def test_overdue_rectification_is_escalated(live_server: object, transactional_db: None, city: City,
                                            page: Page, login_as: Callable[[str], None]) -> None:
    breach(city)
    case = Case.objects.get(kind=RECTIFICATION.code)
    mark_overdue(case.due_on + dt.timedelta(days=10))

    login_as("district")
    page.goto(f"{live_server}/sanctions/rectifications/?show=overdue")
    expect(page.locator("#rectification-counts")).to_contain_text("已逾期 1")
    row = page.locator("#rectifications tbody tr", has_text="玄武区新街口街道办事处")
    expect(row).to_contain_text("逾期")
    expect(row).to_contain_text("已督办")
    with page.expect_navigation():
        row.get_by_role("link", name=f"#{case.pk}").click()
    expect(page.locator("#case-due")).to_contain_text("已督办")
    page.goto(f"{live_server}/workflow/")
    expect(page.locator("#notifications")).to_contain_text("督办")


def test_rectification_list_fits_a_phone(live_server: object, transactional_db: None, city: City, page: Page,
                                         login_as: Callable[[str], None]) -> None:
    """At 390 px the page does not widen: its wide tables scroll inside their own box."""
    breach(city)
    login_as("district")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/sanctions/rectifications/")
    expect(page.locator("#rectifications")).to_contain_text("玄武区新街口街道办事处")
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= 390, width
