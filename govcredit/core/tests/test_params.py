"""Issue 8 item 4: every id, date and month parameter is bounded in ``core.params``; none answers 500.

Huge ids behave as absent ones (404, or an empty list for a filter); malformed or far dates and months
are refused in Chinese (400 on pages, the API's 422). The URL conf and the OpenAPI document are walked,
so a new view or operation that parses a parameter itself is found here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from govcredit.api.api import api
from govcredit.core import params
from govcredit.testing import City

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _client(city: City, username: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if username:
        client.force_login(city.users[username])
    return client


def _page_routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    """Every page route with an ``<id:...>`` converter, as a URL with the huge id in it."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not route.startswith("api/"):
                yield from _page_routes(p.url_patterns, route)
        elif isinstance(p, URLPattern) and "<id:" in route:
            url = re.sub(r"<id:\w+>", HUGE, route)
            yield "/" + re.sub(r"<(?:str:)?\w+>", "x", url).lstrip("^").rstrip("$")


def test_parse_id_bounds() -> None:
    assert params.parse_id("42") == 42
    assert params.parse_id(str(params.ID_MAX)) == params.ID_MAX
    assert params.parse_id(str(params.ID_MAX + 1)) == params.NO_ROW
    assert params.parse_id("9" * 5000) == params.NO_ROW  # longer than int() reads
    assert params.parse_id("0") == params.NO_ROW
    assert params.parse_id("-3") is None and params.parse_id("abc") is None


def test_every_page_with_an_id_in_its_path_answers_404_for_a_huge_id(city: City) -> None:
    routes = list(_page_routes())
    assert "/portal/99999999999999999999999/" in routes and len(routes) >= 10
    for username in ("credit", None):
        client = _client(city, username)
        for url in routes:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code in {302, 403, 404, 405}, (username, url, response.status_code)


def _api_operations() -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield method, path, op.get("parameters", [])


def test_every_api_id_and_date_parameter_is_bounded(city: City) -> None:
    """Each operation gets a huge id in every id parameter, or 9999-12-31/9999-12 in every date/month one."""
    client = _client(city, "credit")
    seen = 0
    for method, path, parameters in _api_operations():
        path_values = {p["name"]: ("xzcf" if p["name"] == "code" else HUGE) for p in parameters if p["in"] == "path"}
        url = path.format(**path_values)
        queries: list[dict[str, str]] = [{}]
        for p in parameters:
            kind = p.get("schema", {})
            if p["in"] != "query":
                continue
            if kind.get("type") == "integer" and p["name"] not in {"page", "page_size", "months"}:
                queries.append({p["name"]: HUGE})
            elif kind.get("format") == "date":
                queries.append({p["name"]: "9999-12-31", "purpose": "核查", "name": "x"})
            elif "YYYY-MM" in str(p.get("description", "")):
                queries.append({p["name"]: "9999-12"})
        for query in queries:
            if method == "get":
                response = client.get(url, query)
            elif path_values and method in {"post", "patch", "delete"}:
                response = getattr(client, method)(url, {"reason": "x"}, content_type="application/json")
            else:
                continue
            seen += 1
            assert response.status_code in {200, 404, 422}, (method, url, query, response.content[:300])
            if response.status_code != 200:
                assert CJK.search(response.json()["detail"]), response.content
    assert seen >= 25


@pytest.mark.parametrize(("url", "username", "status"), [
    (f"/portal/{HUGE}/", None, 404),
    (f"/api/portal/records/{HUGE}", None, 404),
    (f"/api/subjects/orgs?parent={HUGE}", "credit", 200),
    (f"/api/subjects/people?employer={HUGE}", "credit", 200),
    (f"/api/records?subject_org={HUGE}", "credit", 200),
    (f"/api/records?issuing_org={HUGE}", "credit", 200),
    ("/api/records?decision_date_to=9999-12-31", "credit", 422),
    ("/exchange/open-data/disclosures.csv?published=9999-12-31", None, 400),
    ("/exchange/open-data/disclosures.json?published=2026-13-01", None, 400),
    ("/api/statistics/departments?start=0001-01&end=9999-12", "credit", 422),
    ("/portal/statistics/internal/?start=0001-01&end=9999-12", "credit", 400),
    ("/portal/statistics/internal/?start=2026-1x", "credit", 400),
    (f"/archive/records/new/?record_type={HUGE}", "submitter", 200),
    # A subject no row can be is refused like one outside the user's scope (archive.parties), not a 500.
    (f"/archive/records/new/?record_type={HUGE}&subject_org={HUGE}", "submitter", 403),
    ("/archive/records/new/?record_type=abc", "submitter", 400),
    (f"/archive/records/?record_type={HUGE}", "credit", 200),
    ("/portal/search/?q=南京某某&to=9999-12-31", None, 400),
])
def test_issue_examples(city: City, url: str, username: str | None, status: int) -> None:
    response = _client(city, username).get(url)
    assert response.status_code == status, response.content[:500]
    if status == 200 and url.startswith("/api/"):
        assert response.json()["items"] == []
    if status in {400, 422}:
        is_json = response["Content-Type"].startswith("application/json")
        text = json.dumps(response.json(), ensure_ascii=False) if is_json else response.content.decode()
        assert CJK.search(text), text


def test_form_choice_of_a_huge_id_is_an_invalid_choice(city: City) -> None:
    from govcredit.archive.forms import RecordFilterForm

    form = RecordFilterForm({"record_type": HUGE})
    assert not form.is_valid() and "record_type" in form.errors
