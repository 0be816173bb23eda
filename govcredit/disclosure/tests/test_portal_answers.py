"""Cached search answers (``disclosure.answers``): a repeated search reads only the ledger's head, and
any change the public could see — a new publication, 异议中, a withdrawal — is visible at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.disclosure import answers, views
from govcredit.disclosure.search import parse_criteria
from govcredit.testing import City

from .portal_data import code, penalty, publish


def _search(q: str) -> tuple[list[tuple[str, str]], bool]:
    """(name, status) of each hit, and whether the search read the portal's tables (else only the ledger head)."""
    with CaptureQueriesContext(connection) as ctx:
        result = answers.search(parse_criteria({"q": q}))
    return [(h.name, h.status) for h in result.hits], any("disclosure_" in q["sql"] for q in ctx.captured_queries)


@pytest.mark.django_db
def test_a_repeated_search_reads_only_the_ledger_head(city: City) -> None:
    penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    publish()
    first, read = _search("红山")
    assert first == [("南京市玄武区红山餐饮管理有限公司", "有效")] and read
    with CaptureQueriesContext(connection) as ctx:
        again, read = _search("红山")
    assert again == first and not read
    assert len(ctx.captured_queries) == 1 and "ledger" in ctx.captured_queries[0]["sql"]
    other, read = _search("玄武")  # another query is not answered from the first one's entry
    assert other == first and read


@pytest.mark.django_db
def test_changes_the_public_can_see_are_shown_at_once(city: City) -> None:
    record = penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    publish()
    assert _search("红山")[0] == [("南京市玄武区红山餐饮管理有限公司", "有效")]

    penalty(city, "玄市监罚〔2026〕102号", "南京红山物流有限公司", credit_code=code(2))
    publish()
    assert [name for name, _ in _search("红山")[0]] == ["南京红山物流有限公司", "南京市玄武区红山餐饮管理有限公司"]

    change_status(record, RecordStatus.OBJECTION, actor="clerk", reason="当事人提出异议")
    assert ("南京市玄武区红山餐饮管理有限公司", "异议中") in _search("红山")[0]

    change_status(record, RecordStatus.REVOKED, actor="clerk", reason="复议撤销")
    publish()
    assert [name for name, _ in _search("红山")[0]] == ["南京红山物流有限公司"]


@pytest.mark.django_db
def test_the_page_and_the_api_show_an_objection_after_a_cached_search(city: City) -> None:
    record = penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    publish()
    client = Client()
    assert "异议中" not in client.get("/portal/search/", {"q": "红山"}).content.decode()
    assert client.get("/api/portal/search", {"q": "红山"}).json()["items"][0]["objection"] is False
    change_status(record, RecordStatus.OBJECTION, actor="clerk", reason="当事人提出异议")
    assert "异议中" in client.get("/portal/search/", {"q": "红山"}).content.decode()
    assert client.get("/api/portal/search", {"q": "红山"}).json()["items"][0]["objection"] is True


@pytest.mark.django_db
def test_caching_can_be_switched_off(city: City, settings: Any) -> None:
    settings.GOVCREDIT_PORTAL_CACHE_SECONDS = 0
    penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    publish()
    _search("红山")
    assert _search("红山")[1]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The status of every results page actually rendered (not answered from the cache)."""
    done: list[int] = []
    build = views._results

    def spy(request: Any) -> Any:
        response = build(request)
        done.append(response.status_code)
        return response

    monkeypatch.setattr(views, "_results", spy)
    return done


@pytest.mark.django_db
def test_a_repeated_results_page_is_served_whole_and_per_language(city: City, renders: list[int]) -> None:
    penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    publish()
    client = Client()
    first = client.get("/portal/search/", {"q": "红山"})
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/portal/search/", {"q": "红山"})
    assert again.status_code == 200 and again.content == first.content
    assert [q["sql"] for q in ctx.captured_queries if "disclosure_" in q["sql"]] == []
    assert renders == [200]
    english = client.get("/en/portal/search/", {"q": "红山"})
    assert english.status_code == 200 and "南京市玄武区红山餐饮管理有限公司" in english.content.decode()
    assert renders == [200, 200]
    client.get("/portal/search/", {"q": "红山", "page": "2"})  # another query string is another page
    assert renders == [200, 200, 200]


@pytest.mark.django_db
def test_refused_searches_are_rendered_every_time(city: City, renders: list[int]) -> None:
    client = Client()
    assert client.get("/portal/search/", {"q": "红"}).status_code == 400
    assert client.get("/portal/search/", {"q": "红"}).status_code == 400
    assert renders == [400, 400]
