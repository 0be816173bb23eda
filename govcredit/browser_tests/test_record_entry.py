"""Entering a record through the two-step form: pick the type, fill the catalog's fields."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from govcredit.archive.models import CreditRecord
from govcredit.testing import City

pytestmark = pytest.mark.browser

NUMBER = "玄纪〔2025〕9号"
FUTURE = "2099-01-04"


def _open_discipline_form(page: Page, base_url: str, city: City) -> None:
    person = city.people["xuanwu"]
    page.goto(f"{base_url}/archive/records/new/?subject_person={person.pk}")
    expect(page.locator("h1")).to_have_text("录入信用记录")
    expect(page.locator("main form[method=post]")).to_have_count(0)
    with page.expect_navigation() as nav:
        page.get_by_label("信息类别").select_option(label="纪律处分")  # the form submits on change
    assert nav.value is not None and nav.value.status == 200, f"HTTP {nav.value and nav.value.status}"
    expect(page).to_have_url(re.compile(rf"record_type=\d+&subject_person={person.pk}$"))
    form = page.locator("main form[method=post]")
    expect(form).to_contain_text("信用主体：王小明")
    expect(form).to_contain_text("报送单位：南京市玄武区人民政府")


def _fill(page: Page, *, date: str, punishment: str | None) -> None:
    page.get_by_label("处分决定文号").fill(NUMBER)
    page.get_by_label("处分机关").fill("玄武区纪委监委")
    date_input = page.get_by_label("处分决定日期")
    expect(date_input).to_have_attribute("type", "date")
    date_input.fill(date)
    if punishment is not None:
        page.get_by_label("处分种类").select_option(punishment)
    else:
        page.get_by_label("处分种类").select_option("")
    page.get_by_label("违纪违法事实").fill("违反中央八项规定精神，公款吃喝")
    page.get_by_label("严重程度").select_option("一般")


def _save(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()


def test_enter_discipline_record(live_server: object, transactional_db: None, city: City, page: Page,
                                 login_as: Callable[[str], None]) -> None:
    login_as("district")
    before = CreditRecord.objects.count()
    _open_discipline_form(page, str(live_server), city)

    # 1. A decision date in the future: the server refuses it in Chinese.
    _fill(page, date=FUTURE, punishment="记过")
    _save(page)
    expect(page.locator("main .errorlist")).to_contain_text(f"决定日期 {FUTURE} 晚于今天")
    expect(page.locator("h1")).to_have_text("录入信用记录")
    assert CreditRecord.objects.count() == before
    # The values survive the round trip.
    expect(page.get_by_label("处分决定文号")).to_have_value(NUMBER)

    # 2. The required 处分种类 left empty: the browser itself will not submit ...
    _fill(page, date="2025-04-01", punishment=None)
    punishment = page.get_by_label("处分种类")
    punishment.evaluate("el => el.addEventListener('invalid', () => { window.__blocked = el.name; })")
    page.get_by_role("button", name="保存").click()
    assert page.evaluate("window.__blocked") == "punishment"
    assert punishment.evaluate("el => el.validity.valueMissing") is True
    # ... and without the browser's check the server says so in Chinese.
    page.locator("main form[method=post]").evaluate("f => f.noValidate = true")
    _save(page)
    punishment_row = page.locator(".form-row", has=page.get_by_label("处分种类"))
    expect(punishment_row.locator(".errorlist")).to_have_text("这个字段是必填项。")
    assert CreditRecord.objects.count() == before

    # 3. Valid: saved, and we land on the new record.
    _fill(page, date="2025-04-01", punishment="记过")
    _save(page)
    assert CreditRecord.objects.count() == before + 1
    record = CreditRecord.objects.get(decision_number=NUMBER)
    expect(page).to_have_url(f"{live_server}/archive/records/{record.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("记录已录入并留痕。")
    expect(page.locator("h1")).to_contain_text(f"纪律处分：{NUMBER}")
    expect(page.locator("#record-status")).to_have_text("有效")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("王小明")
    expect(fields).to_contain_text("2025-04-01")
    expect(fields).to_contain_text("记过")
    expect(fields).to_contain_text("南京市玄武区人民政府")
    history = page.locator("#record-history > li")
    expect(history).to_have_count(1)
    expect(history.first.locator(".who")).to_contain_text("district")
    expect(history.first.locator(".what")).to_have_text("录入信用记录")
    assert record.subject_person_id == city.people["xuanwu"].pk
    assert record.issuing_org_id == city.orgs["xuanwu"].pk


def test_future_date_error_belongs_to_the_date_field(live_server: object, transactional_db: None, city: City,
                                                     page: Page, login_as: Callable[[str], None]) -> None:
    # From an organisation's page (subject_org set), so that the page itself renders.
    login_as("district")
    page.goto(f"{live_server}/archive/records/new/?subject_org={city.orgs['xuanwu'].pk}")
    with page.expect_navigation():
        page.get_by_label("信息类别").select_option(label="问责处理")
    page.get_by_label("问责决定文号").fill("玄问〔2025〕3号")
    page.get_by_label("问责机关").fill("玄武区纪委监委")
    page.get_by_label("问责决定日期").fill(FUTURE)
    page.get_by_label("问责方式").select_option(index=1)
    page.get_by_label("问责事由").fill("履职不力")
    _save(page)
    assert CreditRecord.objects.filter(decision_number="玄问〔2025〕3号").count() == 0
    main_text = page.locator("main").inner_text()
    assert "晚于今天" in main_text
    assert "decision_date" not in main_text
    date_row = page.locator(".form-row", has=page.get_by_label("问责决定日期"))
    expect(date_row.locator(".errorlist")).to_have_text(f"决定日期 {FUTURE} 晚于今天")
