"""History pages: who changed what from what to what, and why; the ledger page searched, paged and linked;
personal data masked for roles that may not see it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status, correct_record, record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock
from govcredit.ledger.models import LedgerEntry
from govcredit.testing import COUNTERPARTY_ID, City, penalty_row

DISCIPLINE = {"处分决定文号": "玄纪〔2025〕7号", "处分机关": "玄武区纪委监委", "处分决定日期": "2025-03-05",
              "处分种类": "警告", "严重程度": "一般"}


def signed_in(city: City, role: str) -> Client:
    client = Client()
    client.force_login(city.users[role])
    return client


@pytest.fixture
def corrected(city: City) -> City:
    """The discipline record corrected by the credit office with an ID number in the facts, then 异议中."""
    record = city.records["xuanwu_discipline"]
    correct_record(record, {**DISCIPLINE, "违纪违法事实": f"违规发放津贴补贴（经办人证件号 {COUNTERPARTY_ID}）"},
                   actor=city.users["credit"], reason="补充经办人")
    change_status(record, RecordStatus.OBJECTION, actor=city.users["credit"], reason="本人提出异议")
    return city


@pytest.mark.django_db
def test_a_records_history_says_who_changed_what_from_what_to_what_and_why(corrected: City) -> None:
    record = corrected.records["xuanwu_discipline"]
    page = signed_in(corrected, "credit").get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    assert "变更记录状态" in page and "理由：<span translate=\"no\">本人提出异议</span>" in page
    assert "credit（南京市发展和改革委员会）" in page
    assert "<del>有效</del> → <ins>异议中</ins>" in page  # a choice: its labels, in the page's language
    assert f"<ins translate=\"no\">违规发放津贴补贴（经办人证件号 {COUNTERPARTY_ID}）</ins>" in page  # the credit office sees it all


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["district", "subject"])
def test_roles_without_full_id_numbers_read_the_history_masked(corrected: City, role: str) -> None:
    record = corrected.records["xuanwu_discipline"]
    page = signed_in(corrected, role).get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    entries = page.split('id="record-history"')[1]
    assert "更正信用记录" in entries and "违规发放津贴补贴（经办人证件号 " in entries
    assert COUNTERPARTY_ID not in entries and COUNTERPARTY_ID[:4] in entries


@pytest.mark.django_db
def test_the_history_is_in_english_under_en(corrected: City) -> None:
    record = corrected.records["xuanwu_discipline"]
    page = signed_in(corrected, "credit").get(f"/en/archive/records/{record.pk}/").content.decode()
    assert "Record status changed" in page and "Record corrected" in page


@pytest.mark.django_db
def test_the_ledger_page_searches_by_subject_action_actor_and_date(corrected: City) -> None:
    credit = signed_in(corrected, "credit")
    record = corrected.records["xuanwu_discipline"]
    url = reverse("ledger:overview")

    def seqs(**query: str) -> list[str]:
        page = credit.get(url, query).content.decode()
        return [line.split('"')[1] for line in page.split("data-seq=")[1:]]

    everything = seqs()
    about_record = seqs(subject="玄纪〔2025〕7号")
    assert len(about_record) == 3 and set(about_record) < set(everything)
    by_name = seqs(subject="王小明")  # the person's registration and post, and the record about them
    assert len(by_name) == 5 and set(about_record) < set(by_name)
    assert seqs(subject="玄纪〔2025〕7号", action="record.status") == about_record[:1]
    assert seqs(actor="credit") == about_record[:2]
    today = clock.today()
    # the record's entries were written today: a search from today finds them, one up to yesterday does not
    # (entries the migrations wrote carry the machine's time, which may lie on either side of the suite's day)
    start = dt.datetime.combine(today, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    older = {str(seq) for seq in LedgerEntry.objects.filter(ts__lt=int(start.timestamp() * 1_000_000))
             .values_list("seq", flat=True)}
    since_today, until_yesterday = seqs(since=today.isoformat()), seqs(until=(today - dt.timedelta(days=1)).isoformat())
    assert set(about_record) <= set(since_today) and not set(about_record) & set(until_yesterday)
    assert not set(since_today) & older and set(until_yesterday) <= older
    page = credit.get(url, {"subject": "玄纪〔2025〕7号"}).content.decode()
    assert f'href="/archive/records/{record.pk}/"' in page and "共 3 条" in page
    assert "起始日期不能晚于截止日期" in credit.get(url, {"since": today.isoformat(),
                                                         "until": (today - dt.timedelta(days=1)).isoformat()}
                                                  ).content.decode()
    assert credit.get(url, {"since": "2026-13-01"}).status_code == 200  # refused in the form, not a 500


@pytest.mark.django_db
def test_the_ledger_page_pages(city: City) -> None:
    record = city.records["xuanwu_discipline"]
    for i in range(30):
        change_status(record, RecordStatus.OBJECTION if i % 2 == 0 else RecordStatus.VALID, actor="test",
                      reason=f"第{i}次")
    credit = signed_in(city, "credit")
    total = LedgerEntry.objects.count()  # the city's own entries (its catalogues, people, records) and these 30
    pages = -(-total // 50)
    first = credit.get(reverse("ledger:overview")).content.decode()
    last = credit.get(reverse("ledger:overview"), {"page": pages}).content.decode()
    assert pages >= 2 and first.count("data-seq=") == 50
    assert last.count("data-seq=") == total - 50 * (pages - 1)
    assert f"第 1 / {pages} 页" in first


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["submitter", "personnel", "district", "subject", "public", "thirdparty"])
def test_only_the_credit_office_reads_the_ledger_page(city: City, role: str) -> None:
    assert signed_in(city, role).get(reverse("ledger:overview"), {"subject": "王小明"}).status_code == 403


@pytest.mark.django_db
def test_a_private_individuals_names_old_and_new_are_masked_for_other_roles(city: City) -> None:
    values = {**penalty_row(city.orgs["xuanwu"]), "行政处罚决定书文号": "玄市监罚〔2025〕55号"}
    record = record_decision(RecordType.objects.get(code="xzcf").current(), values, issuing_org=city.orgs["xuanwu"],
                             actor=city.users["district"])
    correct_record(record, {**values, "行政相对人名称": "张三峰"}, actor=city.users["credit"],
                   reason="张三丰的名字录错了")
    district = signed_in(city, "district").get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    entries = district.split('id="record-history"')[1]
    assert "张*丰" in entries and "张*峰" in entries and "张三丰" not in entries and "张三峰" not in entries
    assert COUNTERPARTY_ID not in entries
    credit = signed_in(city, "credit").get(reverse("archive:record_detail", args=[record.pk])).content.decode()
    assert '<del translate="no">张三丰</del> → <ins translate="no">张三峰</ins>' in credit
    api = signed_in(city, "district").get(f"/api/records/{record.pk}").json()
    assert "张三丰" not in str(api["history"]) and "张*丰" in str(api["history"])


@pytest.mark.django_db
def test_a_civil_servants_page_shows_their_history_without_the_id_number(city: City) -> None:
    from govcredit.subjects.services import rename_civil_servant
    from govcredit.testing import XUANWU_ID

    person = city.people["xuanwu"]
    rename_civil_servant(person, name="王晓明", actor=city.users["district"], reason="户籍更名")
    for role in ("district", "credit"):
        page = signed_in(city, role).get(reverse("subjects:person_detail", args=[person.pk])).content.decode()
        entries = page.split('id="person-history"')[1]
        assert '<del translate="no">王小明</del> → <ins translate="no">王晓明</ins>' in entries and "理由：<span translate=\"no\">户籍更名</span>" in entries
        assert XUANWU_ID not in entries
