"""English labels are longer than Chinese ones: the pages made English for issue 11 point 9, read under
/en/ on a phone (390×844), still never scroll sideways (wide tables scroll in their own box) and their
buttons' labels stay on one line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page

from govcredit.core.tests.test_access_matrix import MATRIX, PUBLIC, ROLES, city_with_batch  # noqa: F401
from govcredit.testing import City

pytestmark = pytest.mark.browser

WIDTH = 390
PAGES = {
    "archive:record_correct", "archive:record_detail", "commitments:import_page", "commitments:import_run", "archive:record_list", "core:home", "criticism:list",
    "exchange:data_dictionary", "exchange:open_data", "intake:batch_list", "ledger:overview", "portal:detail",
    "portal:landing", "portal:revoked", "portal:search", "portal:subject", "remedies:commitment",
    "remedies:index", "remedies:objection_create", "remedies:objection_detail", "remedies:portal_objection",
    "remedies:repair_create", "remedies:repair_detail", "remedies:track", "reports:verify", "sanctions:case",
    "sanctions:catalogue", "sanctions:eligibility", "sanctions:eligibility_batch",
    "sanctions:fault_tolerance_apply", "sanctions:fault_tolerance_list", "sanctions:measure_detail",
    "sanctions:measure_edit", "sanctions:measure_list", "sanctions:rectification_list", "sanctions:rule_edit",
    "statistics:public", "subjects:org_children", "subjects:org_detail", "subjects:org_list",
    "subjects:person_detail", "subjects:person_list", "workflow:inbox",
}
BUTTON_LINES = """b => { const s = getComputedStyle(b); return Math.round((b.clientHeight
    - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)) / parseFloat(s.lineHeight)); }"""


def _urls(city: City, role: str) -> list[str]:
    with translation.override("en"):
        urls = [reverse(name, args=args(city)) for name, args, allowed in MATRIX if role in allowed and name in PAGES]
        urls += [reverse(name, args=args(city)) for name, args in PUBLIC if name in PAGES]
    return sorted({u for u in urls if u.startswith("/en/")})


def test_the_pages_made_english_fit_a_phone(live_server: object, transactional_db: None,
                                            city_with_batch: City, page: Page,  # noqa: F811
                                            login_as: Callable[[str], None]) -> None:
    city = city_with_batch
    page.set_viewport_size({"width": WIDTH, "height": 844})
    base = str(live_server)
    seen: set[str] = set()
    problems: list[str] = []
    for role in ROLES:
        page.context.clear_cookies()
        login_as(city.users[role].username)
        for url in _urls(city, role):
            response = page.goto(base + url)
            if response is None or response.status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            seen.add(url.split("/")[2] if url.count("/") > 2 else url)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > WIDTH:
                problems.append(f"{role} {url}: {scroll} px wide")
            for button in page.locator("main button:visible, main .button:visible").all():
                lines = button.evaluate(BUTTON_LINES)
                if lines > 1:
                    problems.append(f"{role} {url}: “{button.inner_text()}” breaks over {lines} lines")
    assert {"sanctions", "remedies", "portal", "subjects", "archive", "ledger"} <= seen, seen
    assert not problems, "\n".join(problems)
