"""Every page with every role: allowed pages render, others are refused or hidden (404 outside scope)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from govcredit.testing import City

ROLES = ["credit", "submitter", "personnel", "district", "subject", "public", "thirdparty"]
ALL = set(ROLES)
READERS = {"credit", "submitter", "personnel", "district", "subject"}

# (url name, args from the city, roles that get 200); every other role must get 403 or 404.
MATRIX: list[tuple[str, Callable[[City], list[object]], set[str]]] = [
    ("core:home", lambda c: [], ALL),
    ("subjects:org_list", lambda c: [], READERS),
    ("subjects:org_detail", lambda c: [c.orgs["xuanwu"].pk], {"credit", "personnel", "district"}),
    ("subjects:org_detail", lambda c: [c.orgs["qinhuai"].pk], {"credit", "personnel"}),
    ("subjects:org_detail", lambda c: [c.orgs["scjg"].pk], {"credit", "personnel", "submitter"}),
    ("subjects:org_edit", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("subjects:org_edit", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("subjects:org_create", lambda c: [c.orgs["xuanwu"].pk], {"credit", "district"}),
    ("subjects:org_create", lambda c: [c.orgs["qinhuai"].pk], {"credit"}),
    ("subjects:person_create", lambda c: [c.orgs["xinjiekou"].pk], {"credit", "district"}),
    ("subjects:person_list", lambda c: [], READERS),
    ("subjects:person_detail", lambda c: [c.people["xuanwu"].pk], {"credit", "personnel", "district", "subject"}),
    ("subjects:person_detail", lambda c: [c.people["qinhuai"].pk], {"credit", "personnel"}),
    ("subjects:person_edit", lambda c: [c.people["xuanwu"].pk], {"credit", "district"}),
    ("subjects:person_edit", lambda c: [c.people["qinhuai"].pk], {"credit"}),
    ("archive:record_list", lambda c: [], READERS),
    ("archive:record_detail", lambda c: [c.records["xuanwu_discipline"].pk], {"credit", "personnel", "district", "subject"}),
    ("archive:record_detail", lambda c: [c.records["qinhuai_penalty"].pk], {"credit", "personnel"}),
    ("archive:record_create", lambda c: [], {"credit", "submitter", "district"}),
    ("catalog:type_list", lambda c: [], {"credit", "submitter", "personnel", "district"}),
    ("catalog:type_detail", lambda c: ["xzcf"], {"credit", "submitter", "personnel", "district"}),
    ("catalog:version_create", lambda c: ["xzcf"], {"credit"}),
    ("ledger:overview", lambda c: [], {"credit"}),
]
PAGE_NAMESPACES = {"core", "subjects", "archive", "catalog", "ledger"}


def test_matrix_covers_every_page() -> None:
    resolver = get_resolver()
    names = {f"{ns}:{name}" for ns, (_, sub) in resolver.namespace_dict.items() if ns in PAGE_NAMESPACES
             for name in sub.reverse_dict if isinstance(name, str)}
    assert names == {row[0] for row in MATRIX}


@pytest.mark.django_db
def test_every_page_with_every_role(city: City) -> None:
    failures = []
    for role in ROLES:
        client = Client()
        client.force_login(city.users[role])
        for name, args, allowed in MATRIX:
            url = reverse(name, args=args(city))
            status = client.get(url).status_code
            ok = status == 200 if role in allowed else status in (403, 404)
            if not ok:
                failures.append(f"{role} {url} → {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(city: City) -> None:
    client = Client()
    for name, args, _ in MATRIX:
        response = client.get(reverse(name, args=args(city)))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


@pytest.mark.django_db
def test_district_cannot_change_outside_its_district(city: City) -> None:
    client = Client()
    client.force_login(city.users["district"])
    qinhuai = city.orgs["qinhuai"]
    response = client.post(reverse("subjects:org_edit", args=[qinhuai.pk]),
                           {"name": "改名", "org_type": "机关", "region_code": "320104", "reason": "试图越权"})
    assert response.status_code in (403, 404)
    qinhuai.refresh_from_db()
    assert qinhuai.name == "南京市秦淮区人民政府"
    response = client.post(reverse("archive:record_detail", args=[city.records["xuanwu_discipline"].pk]),
                           {"status": "已撤销", "reason": "越权撤销"})
    assert response.status_code == 403
