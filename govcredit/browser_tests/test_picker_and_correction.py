"""Entering a record with the search-as-you-type subject and issuing-organisation pickers, then correcting it
on its page with a reason; at desktop width and on a phone (390 px, no page-wide horizontal scroll)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.archive.models import CreditRecord
from govcredit.testing import City

pytestmark = pytest.mark.browser

NUMBER = "玄纪〔2025〕21号"


def _pick(page: Page, input_id: str, text: str, option: str) -> None:
    box = page.locator(f"#{input_id}")
    box.fill("")
    box.press_sequentially(text, delay=30)
    choice = page.locator(f"#{input_id}-list [role=option]", has_text=option)
    expect(choice).to_be_visible()
    choice.click()
    expect(page.locator(f"#{input_id}-list")).to_be_hidden()
    expect(box).to_have_value(option)


def _no_page_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url}: {width}px wide"


def test_pick_subject_enter_and_correct(live_server: object, transactional_db: None, city: City, page: Page,
                                        login_as: Callable[[str], None]) -> None:
    login_as("district")
    page.goto(f"{live_server}/archive/records/new/")
    with page.expect_navigation():
        page.get_by_label("信息类别").select_option(label="纪律处分")

    # Nothing out of scope is offered: 李秦淮 works in 秦淮区.
    page.locator("#id_subject").press_sequentially("李秦", delay=30)
    expect(page.locator("#id_subject-list")).to_contain_text("没有匹配的结果")
    # A name typed but not chosen does not send the form.
    page.get_by_role("button", name="保存").click()
    assert page.locator("#id_subject").evaluate("el => el.validationMessage") == "请输入名称并从搜索结果中选择"
    assert CreditRecord.objects.count() == 2
    # The subject by name, with the keyboard; the issuing organisation by a part of its name, with the mouse.
    page.locator("#id_subject").fill("")
    page.locator("#id_subject").press_sequentially("小明", delay=30)
    expect(page.locator("#id_subject-list [role=option]").first).to_contain_text("玄武区新街口街道办事处")
    page.locator("#id_subject").press("ArrowDown")
    page.locator("#id_subject").press("Enter")
    expect(page.locator("#id_subject")).to_have_value("王小明")
    person = city.people["xuanwu"]
    expect(page.locator("input[name=subject_person]")).to_have_value(str(person.pk))
    _pick(page, "id_issuing_org", "新街口", "玄武区新街口街道办事处")
    expect(page.locator("input[name=issuing_org]")).to_have_value(str(city.orgs["xinjiekou"].pk))

    page.get_by_label("处分决定文号").fill(NUMBER)
    expect(page.get_by_label("处分决定文号")).to_have_attribute("type", "text")
    page.get_by_label("处分机关").fill("玄武区纪委监委")
    page.get_by_label("处分决定日期").fill("2025-05-06")
    page.get_by_label("处分种类").select_option("记过")
    page.get_by_label("违纪违法事实").fill("违规发放津贴补贴")
    page.get_by_label("严重程度").select_option("一般")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    record = CreditRecord.objects.get(decision_number=NUMBER)
    assert record.subject_person_id == person.pk and record.issuing_org_id == city.orgs["xinjiekou"].pk
    expect(page.locator("ul.messages")).to_contain_text("记录已录入并留痕。")

    # Correct it on its page, with a reason.
    with page.expect_navigation():
        page.locator("#correct-link").click()
    expect(page.get_by_label("处分决定文号")).to_have_value(NUMBER)
    page.get_by_label("处分机关").fill("中共南京市玄武区纪律检查委员会")
    page.get_by_label("更正理由").fill("处分机关应写全称")
    with page.expect_navigation():
        page.get_by_role("button", name="保存更正").click()
    expect(page.locator("ul.messages")).to_contain_text("记录已更正")
    expect(page.locator("dl.fields")).to_contain_text("中共南京市玄武区纪律检查委员会")
    expect(page.locator("#record-history")).to_contain_text("处分机关应写全称")
    record.refresh_from_db()
    assert record.authority_name == "中共南京市玄武区纪律检查委员会"


def test_entry_correction_and_lists_fit_a_phone(live_server: object, transactional_db: None, city: City,
                                                page: Page, login_as: Callable[[str], None]) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login_as("credit")
    record = city.records["qinhuai_penalty"]
    for url in ["/archive/records/new/?record_type=" + str(record.record_type_id), f"/archive/records/{record.pk}/correct/",
                "/archive/records/", "/subjects/orgs/", "/subjects/orgs/?view=list", "/subjects/people/",
                f"/subjects/orgs/{city.orgs['xinjiekou'].pk}/", "/intake/", "/exchange/national/"]:
        page.goto(f"{live_server}{url}")
        _no_page_scroll(page)
    # The tree opens level by level.
    page.goto(f"{live_server}/subjects/orgs/")
    page.locator(f"#org-tree li[data-org='{city.orgs['city'].pk}'] > details > summary").click(position={"x": 2, "y": 8})
    expect(page.locator("#org-tree")).to_contain_text("南京市玄武区人民政府")
    expect(page.locator("#org-tree")).to_contain_text("1 个下级单位")
