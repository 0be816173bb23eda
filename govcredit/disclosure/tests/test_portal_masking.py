"""No portal page, no public JSON and no open-data file ever shows a full ID number, a mobile number or a
natural person's full name.

The data puts natural persons everywhere they can be — counterparties, legal representatives,
civil servants as subjects — with their ID numbers in the ID field and, as clerks do, their ID
and phone numbers and names inside the free text, including the decision number, the trader's name
and the authority's name, spelled as people spell them: spaced, dotted, hyphenated, full-width, with
zero-width characters. Everything is published through the services, then every portal page
(following every link from the landing page, every search, every detail id whether public or not),
every public JSON response and every open-data download (CSV, JSON, XLSX) is fetched and checked,
with digits joined across the separators a reader would skip.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections import deque
from html.parser import HTMLParser
from itertools import pairwise
from urllib.parse import urlencode

import openpyxl
import pytest
from django.test import Client

from govcredit.archive.models import CounterpartyKind, CreditRecord, RecordStatus
from govcredit.archive.services import change_status, record_decision
from govcredit.catalog.models import RecordType
from govcredit.disclosure.models import Publication
from govcredit.subjects.identifiers import make_id_number
from govcredit.subjects.models import CivilServant, Organization
from govcredit.testing import COUNTERPARTY_ID, QINHUAI_ID, XUANWU_ID, City, streamed

from .portal_data import PERSON_ID, PERSON_PHONE, REP_ID, code, days_ago, licence, penalty, publish

pytestmark = pytest.mark.urls("govcredit.disclosure.tests.urls")

FULL_ID = re.compile(r"\d{17}[\dXx]")
MOBILE = re.compile(r"1[3-9]\d{9}")
ECHO = re.compile(r'(<input[^>]*name="q"[^>]*value=")[^"]*"|<p class="portal-note" id="portal-name-hint">.*?</p>', re.S)
OTHER_ID = make_id_number("320113", dt.date(1988, 8, 8), 357)
SPACED_ID = make_id_number("320104", dt.date(1992, 3, 4), 531)
HYPHEN_ID = make_id_number("320102", dt.date(1990, 3, 5), 1)
# What a reader skips between digits: spaces of every kind, dots, hyphens and dashes, zero-width characters.
JOINERS = re.compile(r"(?<=\d)[\s.\-_/·・\u200b-\u200d\u2060\ufeff]{1,3}(?=[\dXx])")
OPEN_DATA = ["/exchange/open-data/disclosures.csv", "/exchange/open-data/disclosures.json",
             "/exchange/open-data/disclosures.xlsx"]


def _spaced(number: str, width: int = 4, sep: str = " ") -> str:
    return sep.join(number[i:i + width] for i in range(0, len(number), width))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or c == "-" else c for c in text)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _build(city: City) -> None:
    penalty(city, "玄市监罚〔2026〕401号", "王二小", kind="自然人", amount="0.5", id_number=PERSON_ID,
            facts=f"当事人王二小（身份证号{PERSON_ID}，联系电话{PERSON_PHONE}）在其经营的摊位销售过期食品，"
                  f"王二小对违法事实无异议。")
    penalty(city, "玄市监罚〔2026〕402号", "钱多多", kind="自然人", amount="0.8", id_number=OTHER_ID,
            facts=f"当事人钱多多，手机１３９８７６５４３２１，证件号{OTHER_ID[:-1]}{OTHER_ID[-1].lower()}，住址略。")
    penalty(city, "玄市监罚〔2026〕403号", "南京红山餐饮管理有限公司", credit_code=code(41), legal_rep="赵铁柱",
            id_number=REP_ID, facts="法定代表人赵铁柱（手机139 1234 5678，座机025-84561234）未按规定进行索证索票，"
                                    "客户+8613712345678投诉。")
    penalty(city, "玄市监罚〔2026〕404号", "张记面馆", kind="个体工商户", credit_code=code(44, prefix="92"),
            legal_rep="张小花", facts="经营者张小花，联系电话18655556666。")
    revoked = penalty(city, "玄市监罚〔2026〕405号", "孙悟空", kind="自然人", amount="1", id_number=COUNTERPARTY_ID,
                      facts="孙悟空（13500001111）无证经营。")
    licence(city, "秦审批许〔2026〕406号", "南京秦淮老字号食品有限公司", credit_code=code(46, "320104"))
    tjzj = RecordType.objects.get(code="tjzj").current()
    record_decision(tjzj, {"认定文号": "宁统认〔2026〕7号", "认定机关": "南京市统计局", "认定日期": days_ago(9),
                           "统计违法事实": f"李秦淮（身份证{QINHUAI_ID}，电话15012345678）指使他人篡改统计数据。",
                           "处理结果": "通报", "严重程度": "一般"},
                    issuing_org=city.orgs["qinhuai"], subject_person=city.people["qinhuai"], actor="test")
    bzjl = RecordType.objects.get(code="bzjl").current()
    record_decision(bzjl, {"表彰文号": "宁政表〔2026〕3号", "表彰机关": "南京市人民政府", "表彰日期": days_ago(8),
                           "荣誉名称": f"诚信模范（王小明，{XUANWU_ID}）", "表彰级别": "市级"},
                    issuing_org=city.orgs["city"], subject_person=city.people["xuanwu"], actor="test")
    # the tricky spellings, in the publication's own columns: decision number, trader's name, authority
    penalty(city, f"玄市监罚〔2026〕407号（{_spaced(SPACED_ID)}）", "周小龙", kind="自然人", amount="0.8",
            id_number=SPACED_ID, facts=f"周小龙，证件号{_spaced(HYPHEN_ID, 6, '-')}，电话138.2222.3333。")
    penalty(city, "玄市监罚〔2026〕408号", "吴记138.2222.3333小吃店", kind="个体工商户",
            credit_code=code(47, prefix="92"), legal_rep="吴小军",
            authority=f"南京市玄武区市场监督管理局（联系人吴小军{_full_width('139-1111-2222')}）",
            facts=f"经营者吴小军，身份证{_spaced(HYPHEN_ID, 6, '-')}，手机１３９　１１１１　２２２２。")
    penalty(city, "玄市监罚〔2026〕409号 138\u200b2222\u200b4444", "南京青溪贸易有限公司", credit_code=code(48),
            legal_rep="郑大卫", facts=f"法定代表人郑大卫（{_spaced(HYPHEN_ID, 3, '.')}）。")
    publish()
    change_status(revoked, RecordStatus.REVOKED, actor="credit", reason="撤销")
    publish()


def _person_names() -> set[str]:
    names = set(CivilServant.objects.values_list("name", flat=True))
    names |= set(CreditRecord.objects.filter(counterparty_kind=CounterpartyKind.NATURAL)
                 .values_list("counterparty_name", flat=True))
    names |= set(CreditRecord.objects.exclude(legal_representative="").values_list("legal_representative", flat=True))
    return names


def _codes() -> list[str]:
    codes = set(Organization.objects.values_list("credit_code", flat=True))
    codes |= set(CreditRecord.objects.exclude(counterparty_code="").values_list("counterparty_code", flat=True))
    return sorted(codes, key=len, reverse=True)


def _problems(url: str, text: str, names: set[str], codes: list[str]) -> list[str]:
    for c in codes:  # 统一社会信用代码 identify organisations and are public; all-digit ones look like IDs
        text = text.replace(c, "<code>")
    text = JOINERS.sub("", unicodedata.normalize("NFKC", text))  # 138.2222.3333 reads as 13822223333
    found = [f"{url}: ID number {m}" for m in FULL_ID.findall(text)]
    found += [f"{url}: mobile {m}" for m in MOBILE.findall(text)]
    found += [f"{url}: name {n}" for n in names if n in text]
    return found


@pytest.mark.django_db
def test_no_page_or_json_shows_personal_data(city: City) -> None:
    _build(city)
    names, codes = _person_names(), _codes()
    assert {"王二小", "钱多多", "赵铁柱", "张小花", "孙悟空", "李秦淮", "王小明"} <= names
    public = list(Publication.objects.filter(is_public=True).values_list("public_name", flat=True))
    assert {"王*小", "钱*多", "李*淮", "王*明", "张记面馆"} <= set(public)

    queries = {"", "王二小", "二小", "王*", "赵铁柱", "铁柱", "李秦淮", "王小明", "孙悟空", "有限", "面馆", PERSON_PHONE[:5]}
    queries |= {a + b for name in public for a, b in pairwise(name)}
    client = Client()
    start = ["/portal/", "/portal/revoked/", "/portal/search/"]
    start += [f"/portal/search/?{urlencode({'q': q})}" for q in sorted(queries)]
    start += [f"/portal/{pk}/" for pk in Publication.objects.values_list("pk", flat=True)]
    seen: set[str] = set()
    todo = deque(start)
    problems: list[str] = []
    pages = 0
    while todo:
        url = todo.popleft()
        if url in seen or not url.startswith("/portal/"):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 404), url
        pages += 1
        if not response["Content-Type"].startswith("text/html"):
            continue  # the statistics' XLSX, linked from the public statistics page: nothing personal in it
        text = response.content.decode()
        # The search box shows the visitor's own query back to them (e.g. a full name they typed): not data.
        problems += _problems(url, ECHO.sub("", text), names, codes)
        parser = _Links()
        parser.feed(text)
        for href in parser.links:
            href = href.split("#")[0]  # a link within the page (the subject page's group anchors) is no new page
            if href:
                todo.append(href if href.startswith("/") else url.split("?")[0] + href)
    assert pages > 40

    api_urls = ["/api/portal/revoked", "/api/portal/search"]
    api_urls += [f"/api/portal/search?{urlencode({'q': q})}" for q in sorted(queries) if q]
    api_urls += [f"/api/portal/records/{pk}" for pk in Publication.objects.values_list("pk", flat=True)]
    details = 0
    for url in api_urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        decoded = json.dumps(response.json(), ensure_ascii=False)
        problems += _problems(url, decoded, names, codes)
        details += url.startswith("/api/portal/records/") and response.status_code == 200
    assert details == Publication.objects.filter(is_public=True).count() >= 10

    rows = 0
    for url in OPEN_DATA:
        response = client.get(url)
        assert response.status_code == 200, url
        content = streamed(response) if response.streaming else response.content
        if url.endswith(".xlsx"):
            sheets = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets
            text = "\n".join(" | ".join(str(c) for c in row if c is not None)
                             for sheet in sheets for row in sheet.iter_rows(values_only=True))
        else:
            text = content.decode("utf-8-sig")
        rows += text.count("玄市监罚〔2026〕40")
        problems += _problems(url, text, names, codes)
    assert rows == 3 * 7  # 401–404 and 407–409 in each of the three files (405 is revoked)
    assert not problems, "\n".join(problems)

    # and the masked forms are what the public does see
    person = Publication.objects.get(decision_number="玄市监罚〔2026〕401号")
    text = client.get(f"/portal/{person.pk}/").content.decode()
    assert "王*小" in text and "3201**********" in text and "138****5678" in text
    rep = Publication.objects.get(decision_number="玄市监罚〔2026〕403号")
    text = client.get(f"/portal/{rep.pk}/").content.decode()
    assert "赵*柱" in text and "139****5678" in text and "025****1234" in text
