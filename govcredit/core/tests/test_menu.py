"""The menu and the home page of every role: each link they show opens for that role, and nothing it may not
use is shown."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from govcredit.core.menu import menu_items
from govcredit.testing import City

ROLES = ["credit", "submitter", "personnel", "district", "subject", "public", "thirdparty"]
NAV = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')


COUNT = re.compile(r'<a class="card count-link" href="([^"]+)"')


def _menu_links(html: str) -> list[str]:
    match = NAV.search(html)
    return HREF.findall(match.group(1)) if match else []


@pytest.mark.django_db
def test_every_menu_link_of_every_role_opens(city: City) -> None:
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(city.users[role])
        home = client.get(reverse("core:home")).content.decode()
        links = _menu_links(home)
        assert links, f"{role} has no menu"
        for url in links + COUNT.findall(home):  # the menu, then the home page's to-dos
            url = url.replace("&amp;", "&")
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{role}: {url} → {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_role_sees_only_what_it_may_use(city: City) -> None:
    """Every registered item either shows (and opens) or is hidden (and refused) for each role."""
    for role in ROLES:
        client = Client()
        client.force_login(city.users[role])
        shown = set(_menu_links(client.get(reverse("core:home")).content.decode()))
        for _key, item in menu_items():
            url = reverse(item.url_name)
            status = client.get(url).status_code
            assert (url in shown) == (status == 200), f"{role}: {url} shown={url in shown} status={status}"


@pytest.mark.django_db
def test_the_public_role_is_offered_the_portal_not_the_staff_pages(city: City) -> None:
    client = Client()
    client.force_login(city.users["public"])
    links = _menu_links(client.get(reverse("core:home")).content.decode())
    assert reverse("portal:landing") in links
    assert reverse("archive:record_list") not in links and reverse("subjects:org_list") not in links


@pytest.mark.django_db
def test_the_menu_follows_the_language(city: City) -> None:
    client = Client()
    client.force_login(city.users["credit"])
    html = client.get("/en/").content.decode()
    nav = NAV.search(html)
    assert nav and "/en/archive/records/" in nav.group(1) and "信用记录" not in nav.group(1)


@pytest.mark.django_db
def test_home_lists_the_to_dos_with_links(city: City) -> None:
    from govcredit.archive.models import RecordStatus
    from govcredit.archive.services import change_status

    change_status(city.records["xuanwu_discipline"], RecordStatus.OBJECTION, actor="test", reason="收到异议")
    client = Client()
    client.force_login(city.users["district"])
    html = client.get(reverse("core:home")).content.decode()
    assert 'id="todo-total"' in html and 'id="todo-overdue"' in html
    objection = reverse("archive:record_list") + "?status=%E5%BC%82%E8%AE%AE%E4%B8%AD"
    assert f'href="{objection}"' in html
    assert "王小明" in client.get(objection).content.decode()

    client.force_login(city.users["public"])
    html = client.get(reverse("core:home")).content.decode()
    assert 'id="todo-total"' in html and 'id="stat-orgs"' not in html and "最近记录" not in html
