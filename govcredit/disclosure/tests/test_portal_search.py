"""Search semantics of the public portal, on whichever database the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pytest_django import Settings

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.disclosure import search
from govcredit.disclosure.detail import public_detail
from govcredit.disclosure.models import (
    GramCount,
    Publication,
    PublicationGram,
    PublicationSearchKey,
    PublicAuthority,
)
from govcredit.disclosure.search import Criteria, SearchError, parse_criteria, run_search
from govcredit.testing import City

from .portal_data import code, days_ago, licence, penalty, pub_of, publish


def names(data: dict[str, str], **kw: Any) -> list[str]:
    return [h.name for h in run_search(parse_criteria(data, **kw)).hits]


@pytest.fixture(params=["probe", "like-only"])
def strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each search test with and without probing the second-rarest bigram before the LIKE."""
    monkeypatch.setattr(search.planning, "PROBE_SHARE", 1.0 if request.param == "probe" else -1.0)
    return str(request.param)


@pytest.fixture
def portal(city: City, strategy: str) -> City:
    penalty(city, "玄市监罚〔2026〕101号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(1))
    penalty(city, "玄市监罚〔2026〕102号", "张三", kind="个体工商户")
    penalty(city, "玄市监罚〔2026〕103号", "南京张三贸易有限公司", credit_code=code(3))
    penalty(city, "玄市监罚〔2026〕104号", "王二小", kind="自然人", amount="0.5")
    penalty(city, "玄市监罚〔2026〕105号", "ＡＢＣ（南京）科技有限公司", credit_code=code(5))
    penalty(city, "玄市监罚〔2026〕106号", "南京100%纯净水有限公司", credit_code=code(6))
    penalty(city, "玄市监罚〔2026〕107号", "南京_下划线商贸有限公司", credit_code=code(7))
    licence(city, "秦审批许〔2026〕201号", "南京秦淮老字号食品有限公司", credit_code=code(8, "320104"))
    penalty(city, "玄市监罚〔2025〕9号", "南京市玄武区旧案咨询有限公司", credit_code=code(9), decided=days_ago(200))
    publish()
    return city


@pytest.mark.django_db
def test_two_character_queries_find_substrings(portal: City) -> None:
    # newest publication first: the old case was published after the 红山 one
    assert names({"q": "玄武"}) == ["南京市玄武区旧案咨询有限公司", "南京市玄武区红山餐饮管理有限公司"]
    assert set(names({"q": "张三"})) == {"张三", "南京张三贸易有限公司"}
    assert names({"q": "红山"}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "秦淮"}) == ["南京秦淮老字号食品有限公司"]
    assert names({"q": "无此"}) == []


@pytest.mark.django_db
def test_longer_queries_need_the_exact_substring(portal: City) -> None:
    assert names({"q": "玄武区红山"}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "南京市玄武区"}) == ["南京市玄武区旧案咨询有限公司", "南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "区红山餐"}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "山红"}) == []
    # every bigram of 饮管餐饮 (饮管, 管餐?) — 管餐 is missing; 京南京 has only bigrams of the name, out of order
    assert names({"q": "京南京"}) == []
    assert names({"q": "京张三贸"}) == ["南京张三贸易有限公司"]


@pytest.mark.django_db
def test_newest_publication_first(portal: City) -> None:
    hits = run_search(parse_criteria({"q": "有限"})).hits
    assert [h.id for h in hits] == sorted((h.id for h in hits), reverse=True)
    assert len(hits) == 7


@pytest.mark.django_db
def test_normalisation_full_width_and_case(portal: City) -> None:
    assert names({"q": "abc"}) == ["ＡＢＣ（南京）科技有限公司"]
    assert names({"q": "ＡＢ"}) == ["ＡＢＣ（南京）科技有限公司"]
    assert names({"q": "c(南京)"}) == ["ＡＢＣ（南京）科技有限公司"]
    assert names({"q": " 红 山 "}) == ["南京市玄武区红山餐饮管理有限公司"]


@pytest.mark.django_db
def test_wildcards_are_literal(portal: City) -> None:
    assert names({"q": "0%"}) == ["南京100%纯净水有限公司"]
    assert names({"q": "%纯"}) == ["南京100%纯净水有限公司"]
    assert names({"q": "%%"}) == []
    assert names({"q": "_下"}) == ["南京_下划线商贸有限公司"]
    assert names({"q": "京_下"}) == ["南京_下划线商贸有限公司"]
    assert names({"q": "__"}) == []
    assert names({"q": "**"}) == []
    assert names({"q": "王*"}) == ["王*小"]  # the masked name, literally
    assert names({"number": "玄市监罚%"}) == []
    assert names({"authority": "%%"}) == []


@pytest.mark.django_db
def test_natural_persons_are_found_only_by_their_masked_name(portal: City) -> None:
    assert names({"q": "王二小"}) == []
    assert names({"q": "二小"}) == []
    assert names({"q": "*小"}) == ["王*小"]
    assert not PublicationSearchKey.objects.filter(name_key__contains="二").exists()


@pytest.mark.django_db
def test_code_number_authority_type_and_dates(portal: City) -> None:
    assert names({"q": code(1)}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": code(1).lower()}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"code": " " + code(3)}) == ["南京张三贸易有限公司"]
    assert names({"number": "玄市监罚〔2026〕101号"}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert len(names({"number": "玄市监罚〔2026〕10"})) == 7
    assert names({"number": "秦审批"}) == ["南京秦淮老字号食品有限公司"]
    assert names({"authority": "行政审批"}) == ["南京秦淮老字号食品有限公司"]
    assert len(names({"authority": "玄武区市场监督管理局"})) == 8
    assert names({"authority": "不存在的机关"}) == []
    assert names({"type": "行政许可"}) == ["南京秦淮老字号食品有限公司"]
    assert names({"q": "旧案", "from": days_ago(300), "to": days_ago(100)}) == ["南京市玄武区旧案咨询有限公司"]
    assert names({"q": "玄武", "from": days_ago(30)}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "张三", "code": code(3)}) == ["南京张三贸易有限公司"]
    assert names({"q": "红山", "type": "行政许可"}) == []
    assert names({"q": "有限", "number": "玄市监罚〔2026〕103"}) == ["南京张三贸易有限公司"]
    assert names({"q": "红山餐", "authority": "玄武区市场", "type": "行政处罚"}) == ["南京市玄武区红山餐饮管理有限公司"]
    assert names({"q": "红山餐", "authority": "审批"}) == []
    assert names({"q": "老字号", "number": "秦审"}) == ["南京秦淮老字号食品有限公司"]
    assert names({"number": "秦审", "authority": "秦淮"}) == ["南京秦淮老字号食品有限公司"]


@pytest.mark.django_db
def test_refusals_are_chinese(portal: City) -> None:
    cases = {
        "玄": "至少输入两个字", "x" * 51: "不能超过 50 个字符", " ": None,
    }
    for q, message in cases.items():
        if message is None:
            assert parse_criteria({"q": q}).empty
            continue
        with pytest.raises(SearchError, match=message):
            parse_criteria({"q": q})
    with pytest.raises(SearchError, match="不能超过 50 个字符"):
        parse_criteria({"authority": "机" * 51})
    with pytest.raises(SearchError, match="应为日期"):
        parse_criteria({"from": "2026-13-01"})
    with pytest.raises(SearchError, match="不能晚于"):
        parse_criteria({"from": "2026-05-01", "to": "2026-04-01"})
    with pytest.raises(SearchError, match="统一社会信用代码应为 18 位"):
        parse_criteria({"code": "123"})
    with pytest.raises(SearchError, match="类别"):
        parse_criteria({"type": "纪律处分"})
    with pytest.raises(SearchError, match="控制字符"):
        parse_criteria({"q": "玄\x00武"})


@pytest.mark.django_db
def test_page_bounds(portal: City, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search.form, "PER_PAGE", 2)
    monkeypatch.setattr(search.form, "MAX_PAGES", 3)
    monkeypatch.setattr(search.form, "MAX_RESULTS", 6)
    first = run_search(parse_criteria({"q": "有限"}))
    assert (first.total, first.capped, first.pages, len(first.hits)) == (7, True, 3, 2)
    assert any("超过 6 条" in n for n in first.notes)
    clamped = parse_criteria({"q": "有限", "page": "999"})
    assert clamped.page == 3 and clamped.notes
    last = run_search(clamped)
    assert last.page == 3 and len(last.hits) == 2
    seen = [h.id for p in (1, 2, 3) for h in run_search(parse_criteria({"q": "有限", "page": str(p)})).hits]
    assert len(set(seen)) == 6
    with pytest.raises(SearchError, match="页码"):
        parse_criteria({"q": "有限", "page": "4"}, strict_page=True)
    small = run_search(parse_criteria({"q": "张三", "page": "3"}))  # only one page: back to it
    assert small.page == 1 and len(small.hits) == 2 and small.total == 2


@pytest.mark.django_db
def test_withdrawn_expired_and_objection(portal: City) -> None:
    red = pub_of(portal_record(portal, "玄市监罚〔2026〕101号"))
    zhang = portal_record(portal, "玄市监罚〔2026〕103号")
    change_status(zhang, RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    hits = run_search(parse_criteria({"q": "张三"})).hits
    assert {h.name: h.status for h in hits} == {"张三": "有效", "南京张三贸易有限公司": "异议中"}
    assert [h.objection for h in hits if h.name == "南京张三贸易有限公司"] == [True]

    change_status(red.record, RecordStatus.REVOKED, actor="credit", reason="复议撤销")
    assert names({"q": "红山"}) == []  # live status: gone before the sync runs
    publish()
    assert names({"q": "红山"}) == []
    assert not PublicationGram.objects.filter(publication=red).exists()
    assert not PublicationSearchKey.objects.filter(publication=red).exists()
    assert public_detail(red.pk) is None

    # the window's end: not shown the day after, withdrawn by the sync
    old = pub_of(portal_record(portal, "玄市监罚〔2025〕9号"))
    after = old.visible_until + dt.timedelta(days=1)
    assert [h.name for h in run_search(parse_criteria({"q": "旧案"}), today=after).hits] == []
    assert public_detail(old.pk, today=after) is None


@pytest.mark.django_db
def test_index_counts_follow_publish_and_withdraw(portal: City) -> None:
    gram = search.gram_codes("张三").pop()
    assert GramCount.objects.get(gram=gram).n == 2
    assert GramCount.objects.get(gram=search.TOTAL).n == 9
    assert set(PublicAuthority.objects.values_list("name", flat=True)) == {"南京市玄武区市场监督管理局",
                                                                           "南京市秦淮区行政审批局"}
    change_status(portal_record(portal, "玄市监罚〔2026〕102号"), RecordStatus.REVOKED, actor="credit", reason="撤销")
    publish()
    assert GramCount.objects.get(gram=gram).n == 1
    assert GramCount.objects.get(gram=search.TOTAL).n == 8
    before = sorted(PublicationGram.objects.values_list("gram", "publication_id"))
    assert search.rebuild_index() == 8
    assert sorted(PublicationGram.objects.values_list("gram", "publication_id")) == before
    assert GramCount.objects.get(gram=gram).n == 1
    assert search.index_publications(list(Publication.objects.filter(is_public=True))) == 0  # idempotent


@pytest.mark.django_db
def test_empty_criteria_list_everything_newest_first(portal: City) -> None:
    result = run_search(Criteria())
    assert result.total == 9 and len(result.hits) == 9
    assert result.hits[0].name == "南京市玄武区旧案咨询有限公司"


def test_masking_in_free_text() -> None:
    from govcredit.subjects.identifiers import mask_text

    text = "当事人身份证号320106199001011359，手机13812345678，又手机139-1234-5678，固话025-84561234，国际+8613812345678。"
    out = mask_text(text)
    assert "320106199001011359" not in out and "3201**********1359" in out
    assert "13812345678" not in out and "138****5678" in out
    assert "139-1234-5678" not in out and "025-84561234" not in out
    import re
    assert not re.search(r"1[3-9]\d{9}", out) and not re.search(r"\d{17}[\dXx]", out)
    assert mask_text("１３８１２３４５６７８") == "138****5678"
    assert mask_text("罚款人民币50000元，2026年10月8日") == "罚款人民币50000元，2026年10月8日"
    assert mask_text("王二小在店内", ["王二小", "王"]) == "王*小在店内"


def portal_record(city: City, number: str) -> CreditRecord:
    return CreditRecord.objects.get(decision_number=number)


@pytest.mark.django_db
def test_a_timed_out_search_is_a_chinese_503(portal: City, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    def slow(*args: object) -> None:
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(search.running, "_fetch", slow)
    with pytest.raises(SearchError) as caught:
        run_search(parse_criteria({"q": "有限"}))
    assert caught.value.status == 503 and "过于宽泛" in caught.value.message


@pytest.mark.django_db
def test_postgres_statement_timeout_is_enforced_and_scoped(portal: City, settings: Settings) -> None:
    from django.db import OperationalError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    settings.GOVCREDIT_PORTAL_QUERY_TIMEOUT_MS = 50
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        before = cur.fetchone()[0]
    with pytest.raises(OperationalError, match="statement timeout"), transaction.atomic():
        search.running._fetch("default", "SELECT pg_sleep(0.5)", [])
    assert search.running._fetch("default", "SELECT 1", []) == [(1,)]
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before  # not left behind in the surrounding transaction
