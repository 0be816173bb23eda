"""The organisation tree level by level with counts, staff lists that page, sortable tables, their XLSX
exports and the search-as-you-type endpoint of the pickers: each within the user's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from govcredit.subjects import selectors
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.subjects.services import register_civil_servant, register_organization
from govcredit.testing import City, streamed

pytestmark = pytest.mark.django_db
STAFF = 30  # more than one page of 25


def _client(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


def _hire(city: City, n: int = STAFF) -> None:
    for i in range(n):
        register_civil_servant(name=f"=职员{i:02d}" if i == 0 else f"职员{i:02d}",
                               id_number=make_id_number("320102", dt.date(1990, 1, 1), 100 + i),
                               employer=city.orgs["xinjiekou"], post="科员", actor="test")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


# --------------------------------------------------------------------------- the tree


def test_tree_starts_at_the_top_of_each_users_scope(city: City) -> None:
    top = list(selectors.tree_level(city.users["credit"], None))
    assert [o.name for o in top] == ["南京市人民政府"]
    assert top[0].n_children == 5 and top[0].n_staff == 0
    district = list(selectors.tree_level(city.users["district"], None))
    assert [(o.name, o.n_children, o.n_staff) for o in district] == [("南京市玄武区人民政府", 1, 0)]
    below = list(selectors.tree_level(city.users["district"], city.orgs["xuanwu"]))
    assert [(o.name, o.n_children, o.n_staff) for o in below] == [("玄武区新街口街道办事处", 0, 1)]


def test_tree_page_and_its_levels(city: City) -> None:
    client = _client(city, "credit")
    page = client.get(reverse("subjects:org_list")).content.decode()
    assert 'id="org-tree"' in page and "南京市人民政府" in page and "5 个下级单位" in page
    assert "南京市玄武区人民政府" not in page  # the next level is loaded when opened
    url = reverse("subjects:org_children", args=[city.orgs["city"].pk])
    fragment = client.get(url, {"fragment": "1"}).content.decode()
    assert "<html" not in fragment and "南京市玄武区人民政府" in fragment and "1 个下级单位" in fragment
    assert f'data-src="{reverse("subjects:org_children", args=[city.orgs["xuanwu"].pk])}?fragment=1"' in fragment
    assert "<html" in client.get(url).content.decode()  # without JavaScript: a page of its own


def test_tree_level_outside_the_scope_is_hidden(city: City) -> None:
    url = reverse("subjects:org_children", args=[city.orgs["qinhuai"].pk])
    assert _client(city, "district").get(url, {"fragment": "1"}).status_code == 404


def test_tree_queries_do_not_grow_with_the_organisations(city: City) -> None:
    client = _client(city, "credit")
    url = reverse("subjects:org_children", args=[city.orgs["city"].pk]) + "?fragment=1"
    few = _queries(client, url)
    for i in range(5):
        register_organization(name=f"新单位{i}", credit_code=make_credit_code("11", "320100", f"{50 + i:09d}"),
                              org_type="机关", region_code="320100", parent=city.orgs["city"], actor="test")
    assert _queries(client, url) == few <= 8
    assert _queries(client, reverse("subjects:org_list")) <= 8


# --------------------------------------------------------------------------- staff lists and sorting


def test_staff_of_an_organisation_page_instead_of_stopping(city: City) -> None:
    _hire(city)
    client = _client(city, "district")
    url = reverse("subjects:org_detail", args=[city.orgs["xinjiekou"].pk])
    first = client.get(url).content.decode()
    assert "第 1 / 2 页，共 31 条" in first and 'id="staff-table"' in first
    second = client.get(url, {"staff_page": "2", "staff_sort": "name"})
    assert "第 2 / 2 页，共 31 条" in second.content.decode()
    assert len(second.context["staff"]["table"].rows) == 6


def test_org_page_query_count_is_fixed(city: City) -> None:
    _hire(city, 5)
    client = _client(city, "credit")
    url = reverse("subjects:org_detail", args=[city.orgs["xinjiekou"].pk])
    few = _queries(client, url)
    _hire_more = [register_civil_servant(name=f"新人{i}", id_number=make_id_number("320102", dt.date(1991, 1, 1), 300 + i),
                                         employer=city.orgs["xinjiekou"], post="科员", actor="test") for i in range(10)]
    assert len(_hire_more) == 10
    assert _queries(client, url) == few
    assert few <= 25


def test_person_list_sorts_by_a_whitelisted_column(city: City) -> None:
    _hire(city, 3)
    client = _client(city, "credit")
    url = reverse("subjects:person_list")
    names = client.get(url, {"sort": "-name"}).context["table"].rows
    shown = [row[0].text for row in names]
    assert shown == sorted(shown, reverse=True)
    header = client.get(url, {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in header and "sort=-name" in header
    # An unknown key is ignored on the page (the default order) ...
    assert client.get(url, {"sort": "id_cipher"}).status_code == 200
    # ... and refused by the API, which offers the same keys.
    assert client.get("/api/subjects/people", {"sort": "id_cipher"}).status_code == 422
    api = client.get("/api/subjects/people", {"sort": "-name"}).json()["items"]
    assert [p["name"] for p in api] == sorted((p["name"] for p in api), reverse=True)


def test_person_list_queries_do_not_grow_with_rows(city: City) -> None:
    client = _client(city, "credit")
    few = _queries(client, reverse("subjects:person_list"))
    _hire(city, 12)
    assert _queries(client, reverse("subjects:person_list")) == few


def test_org_list_search_is_a_sortable_table(city: City) -> None:
    client = _client(city, "credit")
    response = client.get(reverse("subjects:org_list"), {"q": "南京市", "sort": "-name"})
    rows = [row[0].text for row in response.context["table"].rows]
    assert rows == sorted(rows, reverse=True) and len(rows) == 6
    assert client.get("/api/subjects/orgs", {"sort": "-credit_code"}).status_code == 200


# --------------------------------------------------------------------------- XLSX exports


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_staff_list_exports_what_the_page_shows_masked_and_neutralised(city: City) -> None:
    _hire(city)
    response = _client(city, "district").get(reverse("subjects:person_list"), {"q": "职员", "format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    rows = _sheet(streamed(response))
    assert rows[0] == ("姓名", "身份证号", "工作单位", "职务", "职级", "状态")
    assert len(rows) == 1 + STAFF  # every row, not a page
    assert rows[1][0] == "'=职员00"  # formula-like text kept inert
    full = make_id_number("320102", dt.date(1990, 1, 1), 100)
    assert all(full not in str(r) for r in rows) and "*" in str(rows[1][1])


def test_org_page_exports_its_staff_and_children(city: City) -> None:
    _hire(city, 3)
    client = _client(city, "credit")
    staff = client.get(reverse("subjects:org_detail", args=[city.orgs["xinjiekou"].pk]),
                       {"format": "xlsx", "export": "staff"})
    assert len(_sheet(streamed(staff))) == 1 + 4
    children = client.get(reverse("subjects:org_detail", args=[city.orgs["city"].pk]),
                          {"format": "xlsx", "export": "children"})
    rows = _sheet(streamed(children))
    assert rows[0][-2:] == ("下级单位数", "公务员数") and len(rows) == 1 + 5


def test_export_stays_in_scope(city: City) -> None:
    response = _client(city, "district").get(reverse("subjects:org_list"), {"view": "list", "format": "xlsx"})
    names = [r[0] for r in _sheet(streamed(response))[1:]]
    assert names == ["南京市玄武区人民政府", "玄武区新街口街道办事处"]


# --------------------------------------------------------------------------- the pickers' endpoint


def test_suggest_finds_orgs_and_people_in_scope_only(city: City) -> None:
    client = _client(city, "district")
    found = client.get("/api/subjects/suggest", {"q": "区", "kind": "org"}).json()["results"]
    assert [m["label"] for m in found] == ["南京市玄武区人民政府", "玄武区新街口街道办事处"]
    assert client.get("/api/subjects/suggest", {"q": "李秦淮"}).json()["results"] == []
    person = client.get("/api/subjects/suggest", {"q": "小明", "kind": "person"}).json()["results"]
    assert person == [{"kind": "person", "id": city.people["xuanwu"].pk, "label": "王小明",
                       "detail": "玄武区新街口街道办事处 · 科员 · " + city.people["xuanwu"].id_masked}]
    by_code = client.get("/api/subjects/suggest", {"q": city.orgs["xuanwu"].credit_code.lower()}).json()["results"]
    assert [m["id"] for m in by_code] == [city.orgs["xuanwu"].pk]
    assert client.get("/api/subjects/suggest", {"q": "x", "kind": "all"}).status_code == 422


def test_suggest_puts_names_that_begin_with_the_text_first(city: City) -> None:
    found = _client(city, "credit").get("/api/subjects/suggest", {"q": "玄武", "kind": "org"}).json()["results"]
    assert [m["label"] for m in found] == ["玄武区新街口街道办事处", "南京市玄武区人民政府"]


def test_employer_is_a_search_field_not_a_drop_down(city: City) -> None:
    page = _client(city, "credit").get(reverse("subjects:person_edit", args=[city.people["xuanwu"].pk]))
    html = page.content.decode()
    assert "<select name=\"employer\"" not in html and "data-picker" in html
    assert 'value="玄武区新街口街道办事处"' in html and f'name="employer" value="{city.orgs["xinjiekou"].pk}"' in html


def test_staff_count_in_the_tree_links_to_the_filtered_list(city: City) -> None:
    _hire(city, 2)
    client = _client(city, "district")
    xinjiekou = city.orgs["xinjiekou"]
    fragment = client.get(reverse("subjects:org_children", args=[city.orgs["xuanwu"].pk]), {"fragment": "1"})
    assert f'href="{reverse("subjects:person_list")}?employer={xinjiekou.pk}"' in fragment.content.decode()
    page = client.get(reverse("subjects:person_list"), {"employer": xinjiekou.pk})
    assert page.context["page_obj"].paginator.count == 3 and 'id="employer-filter"' in page.content.decode()
    outside = client.get(reverse("subjects:person_list"), {"employer": city.orgs["qinhuai"].pk})
    assert outside.context["page_obj"].paginator.count == 0
