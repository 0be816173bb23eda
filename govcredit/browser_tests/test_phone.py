"""Every main page of every role on a phone (390×844) and a laptop (1366×900): the page itself never scrolls
sideways (wide tables scroll inside their own box), and the menu collapses behind a button on the phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from govcredit.disclosure.models import Publication
from govcredit.disclosure.tests.portal_data import code, penalty, publish
from govcredit.testing import City

pytestmark = pytest.mark.browser

ROLES = ["credit", "submitter", "personnel", "district", "subject", "public", "thirdparty"]
SIZES = {"phone": (390, 844), "laptop": (1366, 900)}


def _fits(page: Page, url: str, width: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{url} is {scroll} px wide at {width} px: {_widest(page, width)}"


def _widest(page: Page, width: int) -> list[str]:
    """The elements reaching past the viewport's right edge, for the failure message."""
    return list(page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                              width))


def _public_pages(city: City) -> list[str]:
    penalty(city, "玄市监罚〔2026〕501号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(501))
    publish()
    publication = Publication.objects.get(credit_code=code(501))
    return [reverse("portal:landing"), reverse("portal:search") + "?q=南京", reverse("portal:revoked"),
            reverse("portal:detail", args=[publication.pk]), reverse("portal:subject", args=[publication.credit_code]),
            reverse("statistics:public"), reverse("exchange:open_data"), reverse("exchange:data_dictionary"),
            reverse("accounts:login")]


@pytest.mark.parametrize("size", SIZES)
def test_every_main_page_of_every_role_fits(live_server: object, transactional_db: None, city: City, page: Page,
                                           login_as: Callable[[str], None], size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    base = str(live_server)
    for url in _public_pages(city):
        _fits(page, base + url, width)
    details = [reverse("subjects:org_detail", args=[city.orgs["xuanwu"].pk]),
               reverse("subjects:person_detail", args=[city.people["xuanwu"].pk]),
               reverse("archive:record_detail", args=[city.records["xuanwu_discipline"].pk]),
               reverse("archive:record_create"), reverse("catalog:type_detail", args=["xzcf"])]
    for role in ROLES:
        page.context.clear_cookies()
        login_as(role)
        _fits(page, base + "/", width)
        menu = [a.get_attribute("href") or "" for a in page.locator("#mainnav a").all()]
        assert menu, role
        for url in [*menu, *details]:
            if url.startswith("/") and not url.startswith("/api/"):
                page.goto(base + url)  # a detail outside the role's scope answers 403/404 in the frame: it must fit too
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{role}: {url} is {scroll} px wide at {width} px: {_widest(page, width)}"


def test_the_menu_collapses_on_a_phone(live_server: object, transactional_db: None, city: City, page: Page,
                                       login_as: Callable[[str], None]) -> None:
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    login_as("credit")
    page.goto(base + "/")
    toggle = page.locator(".topbar .menu-toggle")
    expect(page.locator("#mainnav")).to_be_hidden()
    toggle.click()
    expect(page.locator("#mainnav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    with page.expect_navigation():
        page.locator("#mainnav a", has_text="信用记录").click()
    expect(page.locator("#mainnav")).to_be_hidden()  # a new page starts closed

    page.goto(base + reverse("portal:landing"))
    expect(page.locator("#portal-nav")).to_be_hidden()
    page.locator(".portal-top .menu-toggle").click()
    expect(page.locator("#portal-nav")).to_be_visible()

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base + "/")
    expect(page.locator("#mainnav")).to_be_visible()
    expect(page.locator(".topbar .menu-toggle")).to_be_hidden()


def test_button_labels_do_not_break(live_server: object, transactional_db: None, city: City, page: Page,
                                    login_as: Callable[[str], None]) -> None:
    """A button's label stays on one line on a phone (its height is one line's)."""
    base = str(live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    login_as("credit")
    for url in ["/archive/records/new/", "/intake/upload/", reverse("portal:landing"), "/subjects/orgs/"]:
        page.goto(base + url)
        for button in page.locator("main button:visible, main .button:visible").all():
            lines = button.evaluate("b => { const s = getComputedStyle(b); return Math.round((b.clientHeight"
                                    " - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom))"
                                    " / parseFloat(s.lineHeight)); }")
            assert lines <= 1, f"{url}: “{button.inner_text()}” breaks over {lines} lines"
