"""核查比对: a roster from the personnel database against the credit system; differences reconciled one by
one through the ledger; the same roster run again reports nothing new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from govcredit.ledger.services import Report, verify_chain
from govcredit.reports import roster
from govcredit.reports.models import FindingKind, FindingStatus, RosterFinding
from govcredit.subjects.identifiers import make_id_number
from govcredit.subjects.models import CivilServant
from govcredit.testing import XUANWU_ID, City

pytestmark = pytest.mark.django_db
NEWCOMER = make_id_number("320104", dt.date(1995, 3, 4), 12)


def roster_file(rank: str = "一级科员") -> bytes:
    lines = ["公务员管理信息库导出", "姓名,身份证号,工作单位,职务,职级,状态",
             f"王小明,{XUANWU_ID},玄武区新街口街道办事处,副科长,{rank},在职",
             f"新人甲,{NEWCOMER},南京市秦淮区人民政府,科员,四级主任科员,在职",
             "张无效,320102198506151230,南京市秦淮区人民政府,科员,,在职"]
    return "\n".join(lines).encode("gb18030")


def kinds(check_pk: int) -> dict[str, str]:
    return {f.name: f.kind for f in RosterFinding.objects.filter(check_run_id=check_pk)}


def test_differences_reconciled_and_not_reported_twice(city: City) -> None:
    credit = city.users["credit"]
    first = roster.compare(credit, roster_file(), "名册.csv")
    assert kinds(first.pk) == {"王小明": FindingKind.POST, "新人甲": FindingKind.MISSING_HERE,
                               "张无效": FindingKind.INVALID_ID, "李秦淮": FindingKind.MISSING_THERE}
    invalid = RosterFinding.objects.get(name="张无效")
    assert "校验码" in invalid.theirs and invalid.id_masked.count("*") == 10
    again = roster.compare(credit, roster_file(), "名册.csv")
    assert (again.new_findings, again.still_open) == (0, 4)

    post = RosterFinding.objects.get(name="王小明")
    roster.resolve(credit, post, action="post", reason="按人事库更新")
    assert CivilServant.objects.get(pk=city.people["xuanwu"].pk).post == "副科长"
    with pytest.raises(ValidationError):
        roster.resolve(credit, post, action="dismiss", reason="再处理一次")
    newcomer = RosterFinding.objects.get(name="新人甲")
    with pytest.raises(ValidationError):
        roster.resolve(credit, newcomer, action="post", reason="错误的处理方式")
    roster.resolve(credit, newcomer, action="register", reason="人事库有此人")
    assert CivilServant.objects.get(name="新人甲").employer == city.orgs["qinhuai"]
    with pytest.raises(ValidationError):
        roster.resolve(credit, RosterFinding.objects.get(name="李秦淮"), action="dismiss", reason=" ")
    roster.resolve(credit, RosterFinding.objects.get(name="李秦淮"), action="dismiss", reason="借调市里，名册未列")
    roster.resolve(credit, invalid, action="dismiss", reason="人事库录入错误，已通知改正")
    assert set(RosterFinding.objects.values_list("status", flat=True)) == {
        FindingStatus.POST_CHANGED, FindingStatus.REGISTERED, FindingStatus.DISMISSED}

    third = roster.compare(credit, roster_file(), "名册.csv")
    assert (third.new_findings, third.still_open) == (0, 0)
    changed = roster.compare(credit, roster_file(rank="四级主任科员"), "名册.csv")
    assert kinds(changed.pk) == {"王小明": FindingKind.RANK}
    report = Report()
    verify_chain(report)
    assert not report.findings


def test_only_the_credit_office_reconciles(city: City) -> None:
    for role in ("personnel", "district", "submitter"):
        with pytest.raises(PermissionDenied):
            roster.compare(city.users[role], roster_file(), "名册.csv")
    check = roster.compare(city.users["credit"], roster_file(), "名册.csv")
    finding = RosterFinding.objects.get(name="张无效")
    with pytest.raises(PermissionDenied):
        roster.resolve(city.users["district"], finding, action="dismiss", reason="越权")
    client = Client()
    client.force_login(city.users["district"])
    assert client.get(reverse("reports:roster_detail", args=[check.pk])).status_code in (403, 404)


def test_the_pages(city: City) -> None:
    client = Client()
    client.force_login(city.users["credit"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(reverse("reports:rosters"), {"file": SimpleUploadedFile("名册.csv", roster_file())})
    page = client.get(answer["Location"]).content.decode()
    assert "信用系统中无此人" in page and XUANWU_ID not in page and NEWCOMER not in page
    finding = RosterFinding.objects.get(name="张无效")
    client.post(reverse("reports:roster_resolve", args=[finding.pk]), {"action": "dismiss", "reason": "录入错误"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.DISMISSED and finding.resolved_by == "credit"
