"""Purpose-logged queries, the logged reveal of an ID number, reports and their verification, through the
services: every look is logged, a report says what the archive holds, and a forged number, a wrong code, an
edited PDF and a changed archive are each told apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from govcredit.archive.services import change_status
from govcredit.ledger.services import verify_chain
from govcredit.reports import services
from govcredit.reports.models import ArchiveQuery, CreditReport, QueryAction
from govcredit.reports.selectors import audit_queries, queries_about_me
from govcredit.testing import XUANWU_ID, City

pytestmark = pytest.mark.django_db
PURPOSE = {"purpose": "职务晋升", "case_reference": "宁组干考〔2026〕12号"}
URL = "https://credit.example.gov.cn/reports/verify/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_query_needs_a_purpose_and_a_case(city: City) -> None:
    person, user = city.people["xuanwu"], city.users["personnel"]
    with pytest.raises(ValidationError) as e:
        services.log_query(user, person, action=QueryAction.ARCHIVE, purpose="好奇", case_reference="")
    assert set(e.value.message_dict) == {"purpose", "case_reference"}
    with pytest.raises(ValidationError) as e:
        services.log_query(user, person, action=QueryAction.ARCHIVE, purpose="其他", case_reference="x")
    assert "purpose_text" in e.value.message_dict
    assert not ArchiveQuery.objects.exists()
    query = services.log_query(user, person, action=QueryAction.ARCHIVE, **PURPOSE)
    assert (query.user_name, query.subject_name, query.purpose) == ("personnel", "王小明", "职务晋升")


@pytest.mark.parametrize("role", ["district", "submitter", "subject", "public", "thirdparty"])
def test_only_the_personnel_and_credit_offices_query(city: City, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.log_query(city.users[role], city.people["xuanwu"], action=QueryAction.ARCHIVE, **PURPOSE)
    with pytest.raises(PermissionDenied):
        services.issue_report(city.users[role], city.people["xuanwu"], verify_url=URL, **PURPOSE)


def test_a_full_id_number_is_its_own_logged_action(city: City) -> None:
    number = services.reveal_id_number(city.users["personnel"], city.people["xuanwu"], **PURPOSE)
    assert number == XUANWU_ID
    logged = ArchiveQuery.objects.get()
    assert logged.action == QueryAction.FULL_ID and logged.case_reference == PURPOSE["case_reference"]


def test_the_subject_sees_who_looked_and_the_credit_office_audits(city: City) -> None:
    services.log_query(city.users["personnel"], city.people["xuanwu"], action=QueryAction.ARCHIVE, **PURPOSE)
    services.log_query(city.users["credit"], city.people["qinhuai"], action=QueryAction.ARCHIVE,
                       purpose="其他", purpose_text="数据核对", case_reference="核-1")
    mine = list(queries_about_me(city.users["subject"]))
    assert [(q.user_name, q.purpose) for q in mine] == [("personnel", "职务晋升")]
    assert audit_queries(city.users["credit"]).count() == 2
    assert [q.subject_name for q in audit_queries(city.users["credit"], purpose="其他")] == ["李秦淮"]
    assert audit_queries(city.users["credit"], who="person").count() == 1
    with pytest.raises(PermissionDenied):
        audit_queries(city.users["personnel"])


def test_a_report_counts_the_dishonesty_records_in_force(city: City, media: Path) -> None:
    report, code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL, **PURPOSE)
    assert report.content["negative_count"] == 1
    assert "有政务失信记录 1 条" in report.content["conclusion"]
    assert ["身份证号", city.people["xuanwu"].id_masked] in report.content["identity"]
    assert XUANWU_ID not in str(report.content)
    pdf = Path(report.pdf_path).read_bytes()
    assert pdf.startswith(b"%PDF") and report.pdf_path.startswith(str(media))
    assert len(code) == 8 and code not in str(report.content)
    clean, _ = services.issue_report(city.users["personnel"], city.people["qinhuai"], verify_url=URL, **PURPOSE)
    assert clean.content["conclusion"] == "查询期内无政务失信记录。"
    assert clean.number[-4:] == "0002" and clean.number[:11] == report.number[:11]
    assert ArchiveQuery.objects.filter(action=QueryAction.REPORT).count() == 2
    assert verify_chain_ok()


def verify_chain_ok() -> bool:
    from govcredit.ledger.services import Report

    report = Report()
    verify_chain(report)
    return not report.findings


def test_verification_by_number_and_code(city: City) -> None:
    report, code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL, **PURPOSE)
    ok = services.verify(report.number, code.lower())
    assert ok.genuine and ok.changed_since is False
    assert not services.verify(report.number, "AAAAAAAA").genuine
    assert "不是本平台出具" in services.verify("GCR209901010001", code).message
    change_status(city.records["xuanwu_discipline"], "已撤销", actor="test", reason="复核撤销")
    later = services.verify(report.number, code)
    assert later.genuine and later.changed_since is True


def test_a_report_edited_in_the_database_is_not_genuine(city: City) -> None:
    report, code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL, **PURPOSE)
    tampered = {**report.content, "conclusion": "查询期内无政务失信记录。"}
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CreditReport._meta.db_table} SET content = %s WHERE id = %s",
                       [__import__("json").dumps(tampered, ensure_ascii=False), report.pk])
    result = services.verify(report.number, code)
    assert not result.genuine and "不一致" in result.message


def test_verification_of_a_pdf_file(city: City) -> None:
    report, _code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL, **PURPOSE)
    pdf = Path(report.pdf_path).read_bytes()
    assert services.verify_pdf(pdf).genuine
    edited = pdf.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in pdf else pdf + b"\n%edited"
    result = services.verify_pdf(edited)
    assert not result.genuine and report.number in result.message and "已被修改" in result.message
    assert "不是本平台出具" in services.verify_pdf(b"%PDF-1.7 something else").message
