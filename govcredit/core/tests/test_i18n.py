"""English interface: the en catalogue is complete, compiled, and served under /en/ (Chinese stays at /)."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govcredit.core import clock
from govcredit.exchange.opendata import COLUMNS
from govcredit.testing import City

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


def _unquote(chunks: list[str]) -> str:
    text = "".join(chunks)
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[dict[str, Any]]:
    """A small .po reader: entries with msgid, msgid_plural, msgstr forms and flags (obsolete #~ skipped)."""
    entries: list[dict[str, Any]] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict[str, Any] = {"flags": set(), "msgid": [], "msgid_plural": [], "msgstr": {}}
        current: list[str] | None = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgid|msgid_plural|msgctxt) "(.*)"$', line):
                current = entry.setdefault(m.group(1), [])
                current.append(m.group(2))
            elif m := re.match(r'^msgstr(?:\[(\d+)\])? "(.*)"$', line):
                current = entry["msgstr"].setdefault(int(m.group(1) or 0), [])
                current.append(m.group(2))
            elif m := re.match(r'^"(.*)"$', line):
                assert current is not None, f"continuation line without a keyword in {path}: {line}"
                current.append(m.group(1))
        entries.append({
            "msgid": _unquote(entry["msgid"]),
            "msgid_plural": _unquote(entry["msgid_plural"]),
            "msgstr": {n: _unquote(parts) for n, parts in entry["msgstr"].items()},
            "flags": entry["flags"],
        })
    return entries


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


# --- the catalogue ------------------------------------------------------------------------------------


def test_po_file_is_complete() -> None:
    entries = parse_po(PO_FILE)
    header = [e for e in entries if e["msgid"] == ""]
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(header) == 1 and "Language: en" in header[0]["msgstr"][0]
    assert "fuzzy" not in header[0]["flags"], "the header is still marked fuzzy"
    assert len(messages) > 50, "the catalogue looks empty: run makemessages from the govcredit directory"
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages if not e["msgstr"] or not all(e["msgstr"].values())]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_placeholders_and_are_english() -> None:
    for e in parse_po(PO_FILE):
        if not e["msgid"]:
            continue
        expected = _placeholders(e["msgid"]) | _placeholders(e["msgid_plural"])
        for form in e["msgstr"].values():
            assert _placeholders(form) == expected, (e["msgid"], form)
            # Latin text, Chinese punctuation included (the language switch shows 简体中文 by its own name).
            assert not re.search(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]", form), (e["msgid"], form)


def test_compiled_catalogue_matches_po() -> None:
    assert MO_FILE.exists(), "run: govcredit compilemessages"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in parse_po(PO_FILE):
        if e["msgid"] and not e["msgid_plural"]:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], f"django.mo is stale for {e['msgid']!r}"


# --- pages --------------------------------------------------------------------------------------------



@pytest.fixture
def credit_client(city: City) -> Client:
    client = Client()
    client.force_login(city.users["credit"], backend=MODEL_BACKEND)
    return client


def test_english_home_under_en_prefix(credit_client: Client) -> None:
    response = credit_client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ("Organizations", "Civil servants", "Credit records", "Catalog", "Audit trail",
                 "Dashboard", "Under objection", "Log out"):
        assert text in html, text
    assert "工作台" not in html and "信用记录" not in html
    # Links inside the English site stay in English.
    assert 'href="/en/subjects/orgs/"' in html


def test_chinese_home_without_prefix(credit_client: Client) -> None:
    response = credit_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "工作台" in html and "信用记录" in html
    assert "Dashboard" not in html


def test_english_pages_render(credit_client: Client, city: City) -> None:
    with translation.override("en"):
        pages = {
            reverse("subjects:org_list") + "?view=list": "Unified social credit code",
            reverse("subjects:org_list"): "subordinate organizations",
            reverse("subjects:person_detail", args=[city.people["xuanwu"].pk]): "ID number",
            reverse("archive:record_detail", args=[city.records["qinhuai_penalty"].pk]): "Publicity period",
            reverse("catalog:type_list"): "Dual publicity",
            reverse("ledger:overview"): "Audit ledger",
        }
    for url, text in pages.items():
        assert url.startswith("/en/"), url
        response = credit_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_login_page_in_english(client: Client) -> None:
    response = client.get("/en/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in to the Government Integrity Credit Platform" in html
    assert "Username" in html and "Password" in html
    assert "用户名" not in html


def test_login_page_in_chinese_by_default(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "登录政务诚信信息平台" in html and "Username" not in html


def test_anonymous_english_home_redirects_to_english_portal(client: Client) -> None:
    response = client.get("/en/")
    assert response.status_code == 302
    assert response["Location"] == "/en/portal/"


def test_set_language_switches_via_url_prefix(credit_client: Client) -> None:
    # set_language translates `next` into the chosen language's URL and stores the choice in a cookie.
    response = credit_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Dashboard" in credit_client.get(response["Location"]).content.decode()

    # With prefix_default_language=False an unprefixed path always means the default language:
    # the cookie does not turn "/" into English, and there is no redirect to "/en/".
    response = credit_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and "工作台" in html


def test_set_language_back_to_chinese_drops_prefix(credit_client: Client) -> None:
    with translation.override("en"):
        english_catalog = reverse("catalog:type_list")
        setlang = reverse("set_language")
    response = credit_client.post(setlang, {"language": "zh-hans", "next": english_catalog})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert response["Location"] == "/catalog/"


# --- statistics and exchange pages ----------------------------------------------------------------------


def _english(name: str, *args: object) -> str:
    with translation.override("en"):
        url = reverse(name, args=args)
    assert url.startswith("/en/"), url
    return url


def _chinese(name: str, *args: object) -> str:
    # A request under /en/ leaves English active in this thread; the default language has no prefix.
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse(name, args=args)
    assert not url.startswith("/en/"), url
    return url


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _assert_translated(html: str, english: tuple[str, ...], chinese: tuple[str, ...]) -> None:
    assert '<html lang="en">' in html
    for text in english:
        assert text in html, f"missing English text {text!r}"
    for text in chinese:
        assert text not in html, f"untranslated Chinese label {text!r}"


STATISTICS_LABELS = ("及时率", "完整率", "公示率", "月度趋势", "月度数据", "合计", "导出 Excel", "尚未统计", "统计期间")


def test_public_statistics_page_in_english(client: Client, city: City) -> None:
    html = _page(client, _english("statistics:public"))
    today = clock.today()
    _assert_translated(
        html,
        ("Dual publicity: on-time and completeness rates", "On-time rate", "Completeness rate", "Publication rate",
         "Monthly trend", "Monthly figures", "Definitions", "Last 12 months", "Export Excel", "Published on time",
         "Overdue, unpublished"),
        (*STATISTICS_LABELS, "“双公示”及时率与完整率", "统计口径", "最近 12 个月", "按时公示", "逾期未公示",
         f"{today.year}年{today.month}月{today.day}日"),  # dates follow the English formats too
    )
    # Chinese stays the default at the unprefixed URL.
    chinese = _page(client, _chinese("statistics:public"))
    assert "“双公示”及时率与完整率" in chinese and "统计口径" in chinese and "Definitions" not in chinese
    assert f"{today.year}年{today.month}月{today.day}日" in chinese


def _chart_labels(html: str) -> dict[str, str]:
    block = re.search(r'<script id="chart-labels" type="application/json">(.*?)</script>', html, re.S)
    assert block is not None, "the page gives the charts no labels"
    return dict(json.loads(block.group(1)))


def test_chart_labels_follow_the_language(client: Client, credit_client: Client, city: City) -> None:
    """statistics/charts.js names the series and the target line from the page's chart-labels block."""
    english = {"on_time": "On-time rate", "completeness": "Completeness rate", "publication": "Publication rate",
               "target": "Target"}
    chinese = {"on_time": "及时率", "completeness": "完整率", "publication": "公示率", "target": "目标"}
    assert _chart_labels(_page(client, _english("statistics:public"))) == english
    assert _chart_labels(_page(client, _chinese("statistics:public"))) == chinese
    assert _chart_labels(_page(credit_client, _english("statistics:internal"))) == english


def test_internal_statistics_page_in_english(credit_client: Client) -> None:
    html = _page(credit_client, _english("statistics:internal"))
    _assert_translated(
        html,
        ("Internal statistics", "Citywide", "Department ranking", "District summary",
         "On-time rate by district and month", "Recompute now", "From month", "Average time (working days)",
         "Departments below 100%"),
        (*STATISTICS_LABELS, "内部统计", "全市", "部门排名", "区域汇总", "区域分月及时率", "立即重新统计", "起始月份",
         "未达 100%"),
    )
    chinese = _page(credit_client, _chinese("statistics:internal"))
    assert "部门排名" in chinese and "全市" in chinese and "未达 100% 的部门" in chinese


def test_internal_statistics_notes_in_english(credit_client: Client) -> None:
    html = _page(credit_client, _english("statistics:internal") + "?start=2025-06&end=2025-01")
    assert "The start and end months were reversed and have been swapped" in html
    assert "起止月份颠倒" not in html


def test_open_data_page_in_english(client: Client, city: City) -> None:
    html = _page(client, _english("exchange:open_data"))
    _assert_translated(
        html,
        ("Open data: dual publicity information", "Full dataset (as of", "Daily additions", "Publication date",
         "Download CSV", "Download XLSX", "data dictionary", 'href="/en/exchange/open-data/dictionary/"'),
        ("公共数据开放", "全量数据集", "每日新增", "公开日期", "下载 CSV", "数据字典", "当前公示中的信息共"),
    )


def test_data_dictionary_in_english_keeps_the_column_names(client: Client, city: City) -> None:
    html = _page(client, _english("exchange:data_dictionary"))
    _assert_translated(
        html,
        ("Data dictionary: dual publicity open data", "Field name", "English key", "Meaning", "Example",
         "Date of the decision", "Date (YYYY-MM-DD)", "Records with the status “<span translate=\"no\">异议中</span>”"),
        ("数据字典", "字段名称", "英文键", "含义", "示例", "作出决定的日期", "日期（YYYY-MM-DD）", "请谨慎使用"),
    )
    # The column names are the data format of the downloads and stay Chinese; the explanations are translated.
    for column in COLUMNS:
        assert column.header in html and column.key in html
        assert column.meaning not in html, column.meaning
    chinese = _page(client, _chinese("exchange:data_dictionary"))
    assert all(column.meaning in chinese for column in COLUMNS)


def test_national_exports_page_in_english(credit_client: Client) -> None:
    html = _page(credit_client, _english("exchange:exports"))
    _assert_translated(
        html,
        ("Reporting dual publicity data to the National Credit Information Sharing Platform",
         "Import acknowledgements", "Acknowledgement file (CSV, XLSX or JSON)", "Export batches",
         "Recently rejected records", "Nothing exported yet.", "No rejected records.", "shared query log"),
        ("向全国信用信息共享平台报送", "导入回执", "回执文件", "导出批次", "最近被拒绝的记录", "尚未导出", "共享查询日志"),
    )
    response = credit_client.post(_english("exchange:ack_upload"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please choose an acknowledgement file." in html and "请选择回执文件" not in html


def test_shared_query_log_in_english(credit_client: Client) -> None:
    html = _page(credit_client, _english("exchange:query_log"))
    _assert_translated(html, ("Shared query log", "Query parameters", "No queries yet."),
                       ("共享查询日志", "查询条件", "暂无查询"))
