"""The portal in English under /en/portal/: fixed UI text translated, data (names, numbers, catalog labels) as stored.

Chinese stays the default at /portal/ and is byte-for-byte what it was before the portal was translated.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status
from govcredit.disclosure import answers, rendering, search
from govcredit.testing import City

from .portal_data import code, penalty, pub_of, publish

# Fixed labels of the portal's pages: none of them may be left in Chinese on an English page.
CHINESE_LABELS = (
    "信用信息公示查询", "最新公示", "更多条件", "决定日期起", "决定日期止", "文书号或其开头部分", "首页", "信息查询",
    "撤销公示", "信用南京", "政务诚信信息公示", "脱敏处理", "至少两个字", "无需登录", "示例：",
    "<th>名称</th>", "<th>类别</th>", "<th>决定文书号</th>", "<th>决定机关</th>", "<th>决定日期</th>", "<th>状态</th>",
    ">公示中<", ">异议中<", ">全部<", ">查询<", "上一页", "下一页", 'aria-label="分页"', "页，共",
)



@pytest.fixture
def records(city: City) -> dict[str, Any]:
    out = {
        "red": penalty(city, "玄市监罚〔2026〕601号", "南京市玄武区红山餐饮管理有限公司", credit_code=code(61),
                       legal_rep="赵铁柱"),
        "zhang": penalty(city, "玄市监罚〔2026〕602号", "南京张三贸易有限公司", credit_code=code(62)),
        "revoked": penalty(city, "玄市监罚〔2026〕603号", "南京玄武撤销测试有限公司", credit_code=code(63)),
    }
    publish()
    change_status(out["revoked"], RecordStatus.REVOKED, actor="credit", reason="行政复议撤销")
    change_status(out["zhang"], RecordStatus.OBJECTION, actor="credit", reason="收到异议")
    publish()
    return out


def _get(client: Client, url: str, status: int = 200, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == status, url
    return response.content.decode()


def _assert_english(html: str, english: tuple[str, ...], chinese: tuple[str, ...] = CHINESE_LABELS) -> None:
    assert '<html lang="en">' in html
    for text in (*english, "Credit Nanjing", "Search records", "Revoked disclosures",
                 "Names, ID numbers and telephone numbers of natural persons"):
        assert text in html, f"missing English text {text!r}"
    for text in chinese:
        assert text not in html, f"untranslated Chinese label {text!r}"


@pytest.mark.django_db
def test_english_landing(records: dict[str, Any]) -> None:
    html = _get(Client(), "/en/portal/")
    _assert_english(html, (
        "Credit Information Disclosure Search", "Latest disclosures", "More filters", "Decision date from",
        "Decision date to", 'placeholder="Name (at least two characters) or unified social credit code"',
        ">Search</button>", '<option value="">All</option>', "<th>Name</th>", "<th>Decision document no.</th>",
        "<th>Status</th>", ">Disclosed</span>", ">Under objection</span>", "Example: enter “<span translate=\"no\">玄武</span>”",
    ))
    # The data stays as stored, and the links stay in the English portal.
    assert "南京市玄武区红山餐饮管理有限公司" in html and "玄市监罚〔2026〕601号" in html
    assert f'href="/en/portal/{pub_of(records["red"]).pk}/"' in html
    assert 'href="/en/portal/search/"' in html and 'href="/en/portal/revoked/"' in html


@pytest.mark.django_db
def test_english_results(records: dict[str, Any]) -> None:
    client = Client()
    html = _get(client, "/en/portal/search/", q="红山")
    _assert_english(html, ("<title>Search results · Credit Nanjing</title>", "Page 1 of 1 · 1 total",
                           'aria-label="Pagination"', "<th>Deciding authority</th>", ">Disclosed</span>"))
    assert "南京市玄武区红山餐饮管理有限公司" in html and "南京市玄武区市场监督管理局" in html
    # 异议中: the badge is translated, the status class (a data value the stylesheet matches) is not.
    html = _get(client, "/en/portal/search/", q="张三")
    assert '<span class="badge s-异议中">Under objection</span>' in html
    html = _get(client, "/en/portal/search/", q="不存在的名称")
    _assert_english(html, ("No disclosed information matches your search.",), (*CHINESE_LABELS, "未查询到"))


@pytest.mark.django_db
def test_english_pager(records: dict[str, Any], city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    penalty(city, "玄市监罚〔2026〕604号", "南京玄武分页测试有限公司", credit_code=code(64))
    publish()
    monkeypatch.setattr(search.form, "PER_PAGE", 1)
    html = _get(Client(), "/en/portal/search/", q="有限", page="2")
    assert 'rel="prev">Previous</a>' in html and 'rel="next">Next</a>' in html
    assert "Page 2 of 3 · 3 total" in html
    monkeypatch.setattr(search.form, "MAX_PAGES", 2)
    monkeypatch.setattr(search.form, "MAX_RESULTS", 2)
    html = _get(Client(), "/en/portal/search/", q="有限")
    assert "2 pages; more than 2 results match" in html and "共 2 页" not in html  # the note is search.py's


@pytest.mark.django_db
def test_english_detail(records: dict[str, Any]) -> None:
    client = Client()
    html = _get(client, f"/en/portal/{pub_of(records['red']).pk}/")
    _assert_english(html, ('id="portal-status">Disclosed<', '<a href="/en/portal/">Home</a>',
                           "This information will be withdrawn as required by law"),
                    (*CHINESE_LABELS, "依法撤下"))
    # Values are data: they stay Chinese; the catalog's field labels are English (catalog/data/catalog.en.json).
    for value in ("南京市玄武区红山餐饮管理有限公司", "玄市监罚〔2026〕601号", "使用超过保质期的食品原料", "赵*柱"):
        assert value in html, value
    assert "<dt>Facts of the violation</dt>" in html and "违法事实" not in html
    html = _get(client, f"/en/portal/{pub_of(records['zhang']).pk}/")
    assert 'id="portal-status">Under objection<' in html
    assert "An objection to this information has been filed" in html and "正在核查处理中" not in html


@pytest.mark.django_db
def test_english_not_found_and_revoked(records: dict[str, Any]) -> None:
    client = Client()
    html = _get(client, f"/en/portal/{pub_of(records['revoked']).pk}/", status=404)
    _assert_english(html, ("<h1>Not found or withdrawn</h1>", "View revoked disclosures", "Back to the home page"),
                    (*CHINESE_LABELS, "信息不存在或已撤下", "不在公示范围内", "返回首页"))
    html = _get(client, "/en/portal/revoked/")
    _assert_english(html, ("<h1>Revoked disclosures</h1>", "<th>Withdrawn on</th>", "<th>Notes</th>",
                           "have been revoked, changed or declared invalid"),
                    (*CHINESE_LABELS, "撤下日期", "<th>说明</th>", "原公示信息已依法撤下"))
    assert "南京玄武撤销测试有限公司" in html and "玄市监罚〔2026〕603号" in html


@pytest.mark.django_db
def test_chinese_pages_unchanged(records: dict[str, Any]) -> None:
    client = Client()
    html = _get(client, "/portal/")
    assert '<html lang="zh-hans">' in html
    for text in ("<title>首页 · 信用南京</title>", "信用信息公示查询", "最新公示", "更多条件", "决定日期起",
                 '<option value="">全部</option>', "<th>名称</th><th>类别</th><th>决定文书号</th><th>决定机关</th>"
                 "<th>决定日期</th><th>状态</th>", '<span class="badge s-有效">公示中</span>',
                 "示例：输入“<span translate=\"no\">玄武</span>”可查到名称中含“<span translate=\"no\">玄武</span>”的主体；输入 18 位统一社会信用代码可精确查询。",
                 "南京市政务诚信信息公示 · 依据宁政传〔2018〕96号建设<br>公示信息中自然人的姓名"):
        assert text in html, text
    assert "Latest disclosures" not in html and "Credit Nanjing" not in html
    html = _get(client, "/portal/search/", q="红山")
    assert '<nav class="pager portal-pager" aria-label="分页"><span class="muted">第 1 / 1 页，共 1 条</span></nav>' in html
    assert "Page 1 of 1" not in html and "Search results" not in html
    detail = _get(client, f"/portal/{pub_of(records['zhang']).pk}/")
    assert 'id="portal-status">异议中</span>' in detail and "该信息已有异议申请，正在核查处理中。" in detail
    assert "Under objection" not in detail
    html = _get(client, "/portal/revoked/")
    assert "<th>撤下日期</th><th>说明</th>" in html and "Withdrawn on" not in html


@pytest.mark.django_db
def test_languages_do_not_share_cached_fragments_or_pages(records: dict[str, Any]) -> None:
    # The header is a cached fragment and results pages are cached whole: each keyed by the language.
    client = Client()
    for _ in range(2):
        chinese = _get(client, "/portal/search/", q="红山")
        english = _get(client, "/en/portal/search/", q="红山")
        assert '<a href="/portal/revoked/">撤销公示</a>' in chinese and "第 1 / 1 页" in chinese
        assert '<a href="/en/portal/revoked/">Revoked disclosures</a>' in english and "Page 1 of 1" in english


def test_rendering_in_chinese_is_unchanged() -> None:
    hit = search.Hit(id=7, name="南京<某>公司", credit_code="", decision_number="罚〔2026〕1号", authority="玄武区",
                     type_name="行政处罚", decision_date=dt.date(2026, 1, 2), visible_until=dt.date(2027, 1, 2),
                     status="异议中")
    with translation.override("zh-hans"):
        table = rendering.hits_table([hit], "/portal/")
        pager = rendering.pager(search.ResultPage(hits=[hit], total=45, page=2), "q=a")
        options = rendering.type_options(["行政处罚"], "行政处罚")
    assert table == (
        '<table class="portal-hits" id="portal-results"><thead><tr><th>名称</th><th>类别</th><th>决定文书号</th>'
        '<th>决定机关</th><th>决定日期</th><th>状态</th></tr></thead><tbody><tr><td translate="no"><a href="/portal/7/">'
        '南京&lt;某&gt;公司</a></td><td>行政处罚</td><td translate="no">罚〔2026〕1号</td><td translate="no">玄武区</td>'
        '<td class="nowrap">2026-01-02</td><td><span class="badge s-异议中">异议中</span></td></tr></tbody></table>')
    assert pager == (
        '<nav class="pager portal-pager" aria-label="分页"><span class="muted">第 2 / 3 页，共 45 条</span>'
        '<a href="?q=a&amp;page=1" rel="prev">上一页</a><a href="?q=a&amp;page=1">1</a>'
        '<strong aria-current="page">2</strong><a href="?q=a&amp;page=3">3</a>'
        '<a href="?q=a&amp;page=3" rel="next">下一页</a></nav>')
    assert options == '<option value="">全部</option><option value="行政处罚" selected>行政处罚</option>'
    with translation.override("en"):
        english = rendering.hits_table([hit], "/en/portal/") + rendering.pager(
            search.ResultPage(hits=[hit], total=45, page=2), "")
    assert not re.search(r">[^<]*(名称|状态|异议中|上一页|下一页|页，共)[^<]*<", english), english
    assert "<th>Name</th>" in english and ">Under objection<" in english and "Page 2 of 3 · 45 total" in english


# --- messages of search.py and ratelimit.py ------------------------------------------------------------

TOO_SHORT_ZH = "请至少输入两个字进行检索（例如“玄武”）：单个字会匹配大量名称。"
TOO_SHORT_EN = "Please enter at least two characters to search (for example “玄武”): a single character matches"
CAP_ZH = "为保障平台运行，最多显示前 50 页（1000 条）结果，请缩小查询范围。"
CAP_EN = "To keep the service running smoothly, only the first 50 pages (1000 results) are shown."
LIMITED_ZH = "您的查询过于频繁，请稍后再试。"
LIMITED_EN = "You are searching too often. Please try again later."


def _capped(city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three public names contain 有限 (one more than the records fixture's two); the cap lowered to 2."""
    penalty(city, "玄市监罚〔2026〕604号", "南京玄武分页测试有限公司", credit_code=code(64))
    publish()
    monkeypatch.setattr(search.form, "PER_PAGE", 1)
    monkeypatch.setattr(search.form, "MAX_PAGES", 2)
    monkeypatch.setattr(search.form, "MAX_RESULTS", 2)


@pytest.mark.django_db
def test_english_refusals(records: dict[str, Any]) -> None:
    client = Client()
    html = _get(client, "/en/portal/search/", status=400, q="玄")
    assert '<html lang="en">' in html and TOO_SHORT_EN in html and "至少输入两个字" not in html
    cases = [({"q": "玄" * 51}, "“Name or unified social credit code” cannot be longer than 50 characters."),
             ({"from": "昨天"}, "“Decision date from” must be a date in the format YYYY-MM-DD."),
             ({"from": "2026-05-01", "to": "2026-04-01"},
              "“Decision date from” cannot be later than “Decision date to”."),
             ({"code": "123"}, "The unified social credit code must be 18 digits or capital letters"),
             ({"number": "罚"}, "Please enter at least two characters in “Decision document no.”."),
             ({"type": "纪律处分"}, f"“Category” must be one of: {', '.join(search.public_type_names())}.")]
    for params, message in cases:
        html = _get(client, "/en/portal/search/", status=400, **params)
        assert message in html, (params, html)
        assert not re.search(r'id="portal-error">[^<]*(不能|应为|请至少|以下之一)', html), params


@pytest.mark.django_db
def test_english_cap_notes(records: dict[str, Any], city: City, monkeypatch: pytest.MonkeyPatch) -> None:
    _capped(city, monkeypatch)
    client = Client()
    html = _get(client, "/en/portal/search/", q="有限")
    assert f'<p class="portal-note">More than 2 results match. {CAP_EN} Please narrow your search.</p>' in html
    assert "符合条件的结果超过" not in html and "为保障平台运行" not in html
    # A page past the last one is clamped, with the note of parse_criteria (and the cap note of run_search).
    html = _get(client, "/en/portal/search/", q="有限", page="9")
    assert f'<p class="portal-note">{CAP_EN} Please narrow your search.</p>' in html
    assert 'aria-current="page">2<' in html and "为保障平台运行" not in html
    html = _get(client, "/en/portal/revoked/", page="99")
    assert f'<p class="portal-note">{CAP_EN} Please narrow your search.</p>' in html and "为保障平台运行" not in html


@pytest.mark.django_db
def test_english_rate_limited_page(records: dict[str, Any], settings: Any) -> None:
    settings.GOVCREDIT_PORTAL_RATE = "1/m"
    client = Client(REMOTE_ADDR="10.0.0.31")
    assert client.get("/en/portal/search/", {"q": "红山"}).status_code == 200
    html = _get(client, "/en/portal/search/", status=429, q="红山")
    assert '<html lang="en">' in html and LIMITED_EN in html and "查询过于频繁" not in html
    api = client.get("/api/portal/search", {"q": "红山"})  # the JSON API stays Chinese (not under /en/)
    assert api.status_code == 429 and api.json() == {"detail": LIMITED_ZH}


@pytest.mark.django_db
def test_chinese_search_messages_unchanged(records: dict[str, Any], city: City, settings: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(REMOTE_ADDR="10.0.0.32")
    html = _get(client, "/portal/search/", status=400, q="玄")
    assert f'<p class="portal-error" role="alert" id="portal-error">{TOO_SHORT_ZH}</p>' in html
    html = _get(client, "/portal/search/", status=400, q="玄" * 51)
    assert "“名称或统一社会信用代码”不能超过 50 个字符。" in html and "cannot be longer" not in html
    html = _get(client, "/portal/search/", status=400, type="纪律处分")
    assert f"“类别”应为以下之一：{'、'.join(search.public_type_names())}。" in html and "must be one of" not in html
    _capped(city, monkeypatch)
    html = _get(client, "/portal/search/", q="有限")
    assert f'<p class="portal-note">符合条件的结果超过 2 条，{CAP_ZH}</p>' in html and "More than" not in html
    html = _get(client, "/portal/search/", q="有限", page="9")
    assert f'<p class="portal-note">{CAP_ZH}</p>' in html
    api = client.get("/api/portal/search", {"q": "有限", "page": "9"})
    assert api.status_code == 400 and api.json() == {"detail": f"“页码”不能大于 2：{CAP_ZH}"}
    assert client.get("/api/portal/search", {"q": "有限"}).json()["notes"] == [f"符合条件的结果超过 2 条，{CAP_ZH}"]
    settings.GOVCREDIT_PORTAL_RATE = "1/m"
    assert client.get("/portal/search/", {"q": "红山"}).status_code == 200
    html = _get(client, "/portal/search/", status=429, q="红山")
    assert f'<p class="portal-error" role="alert" id="portal-error">{LIMITED_ZH}</p>' in html
    assert "too often" not in html


@pytest.mark.django_db
def test_cached_search_answers_are_kept_per_language(records: dict[str, Any], city: City,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The same search first in Chinese, then in English: the pages are cached per language anyway, but the
    # search answer beneath them (answers.search, with its notes) must not be shared between the two.
    _capped(city, monkeypatch)
    client = Client()
    chinese = _get(client, "/portal/search/", q="有限")
    assert f"符合条件的结果超过 2 条，{CAP_ZH}" in chinese
    english = _get(client, "/en/portal/search/", q="有限")
    assert "More than 2 results match." in english and "符合条件的结果超过" not in english
    # And straight through answers.search, English first this time.
    with translation.override("en"):
        first = answers.search(search.parse_criteria({"q": "有限"}))
    with translation.override("zh-hans"):
        second = answers.search(search.parse_criteria({"q": "有限"}))
    assert first.notes == [f"More than 2 results match. {CAP_EN} Please narrow your search."]
    assert second.notes == [f"符合条件的结果超过 2 条，{CAP_ZH}"]
