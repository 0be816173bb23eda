"""The report's sections registered by other apps: objections and repairs (remedies), measures,
rectifications and fault-tolerance findings (sanctions). A subject with each gets each in its report's
stored content, on its page and in its PDF's text; a report issued before an objection is filed still
verifies as genuine, and says the archive has changed since."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from govcredit.core import clock
from govcredit.core.report_sections import holders_known, registered_sections
from govcredit.remedies.services import act_on_repair, file_objection
from govcredit.reports import services
from govcredit.reports.models import CreditReport
from govcredit.sanctions.models import AppliedMeasure, MeasureStatus
from govcredit.sanctions.tests.helpers import PDF, breach
from govcredit.sanctions.workflow import COLLECTIVE, REVIEW, apply_fault_tolerance, decide_with_minutes
from govcredit.testing import City, add_remedies
from govcredit.workflow import services as workflow

pytestmark = pytest.mark.django_db
PURPOSE = {"purpose": "职务晋升", "case_reference": "宁组干考〔2026〕12号"}
URL = "https://credit.example.gov.cn/reports/verify/"


def test_every_section_is_registered_in_report_order() -> None:
    keys = [key for key, _section in registered_sections()]
    assert keys == ["archive.negative", "archive.positive", "remedies.objections", "remedies.repairs",
                    "sanctions.measures", "sanctions.rectifications", "sanctions.fault_tolerance"]
    for key, section in registered_sections():
        assert len(section.widths) == len(section.columns()), key


def pdf_text(report: CreditReport) -> str:
    reader = PdfReader(io.BytesIO(Path(report.pdf_path).read_bytes()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def section(report: CreditReport, key: str) -> dict[str, Any]:
    return next(s for s in report.content["sections"] if s["key"] == key)


@pytest.fixture(scope="class")
def scene(class_city: City, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """王小明 with an objection (on his discipline record) and an approved repair (of a 统计造假 finding);
    新街口街道 with a 违约毁约 whose measures run, one with its rectification case, and a second 违约毁约
    on which a collective decision lightened the measures (容错纠错). Reports issued on both."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        city = class_city
        add_remedies(city)
        credit = city.users["credit"]
        act_on_repair(city.repair, "accept", credit, "材料齐全，予以受理")
        act_on_repair(city.repair, "approve", credit, "已纠正失信行为并作出信用承诺")
        breach(city)
        forgiven = breach(city)
        application = apply_fault_tolerance(forgiven, actor=city.users["district"], grounds=["及时止损", "挽回损失"],
                                            statement="已及时付清款项")
        workflow.transition(application.case, REVIEW, city.users["district"], "情况属实，建议减轻")
        workflow.transition(application.case, COLLECTIVE, credit, "审查通过")
        decide_with_minutes(application, actor=credit, minutes_name="会议纪要.pdf", minutes_data=PDF,
                            outcome="减轻", meeting_on=clock.today(), deciders=["张主任", "李副主任", "王处长"],
                            reason="及时止损，挽回全部损失", lighten_to=clock.today() + dt.timedelta(days=30))
        personnel = city.users["personnel"]
        city.person_report, city.person_code = services.issue_report(
            personnel, city.people["xuanwu"], verify_url=URL, **PURPOSE)
        city.org_report, city.org_code = services.issue_report(
            credit, city.orgs["xinjiekou"], verify_url=URL, **PURPOSE)
        yield city


@pytest.mark.usefixtures("scene")
class TestASubjectWithRemediesAndMeasures:
    def test_the_person_report_lists_the_objection_and_the_repair(self, scene: City) -> None:
        report: CreditReport = scene.person_report
        [objection] = section(report, "remedies.objections")["rows"]
        assert objection[1].startswith(scene.objection.number)
        assert "玄纪〔2025〕7号" in objection[2]
        assert objection[3] == "记录内容有误" and objection[4] == "待受理" and objection[5] == "—"
        [repair] = section(report, "remedies.repairs")["rows"]
        assert "玄统认〔2026〕1号" in repair[2]
        assert repair[3] == "已修复" and repair[4] == "已修复：已纠正失信行为并作出信用承诺"
        statuses = {row[2].split("\n")[0]: row[5] for row in section(report, "archive.negative")["rows"]}
        assert statuses == {"玄纪〔2025〕7号": "异议中", "玄统认〔2026〕1号": "已修复"}
        assert "有政务失信记录 1 条" in report.content["conclusion"]  # the repaired one is not counted
        text = pdf_text(report)
        for needed in ("异议", scene.objection.number, "待受理", "信用修复", "已纠正失信行为并作出信用承诺",
                       "异议中", "已修复", "奖惩措施"):
            assert needed in text, needed

    def test_the_org_report_lists_measures_rectification_and_finding(self, scene: City) -> None:
        report: CreditReport = scene.org_report
        in_force = AppliedMeasure.objects.filter(subject_org=scene.orgs["xinjiekou"], status=MeasureStatus.IN_FORCE)
        measures = section(report, "sanctions.measures")["rows"]
        assert len(measures) == in_force.count() > 0
        assert {row[1] for row in measures} == {m.name for m in in_force}
        assert {row[5] for row in measures} == {"执行中"}
        rectifications = section(report, "sanctions.rectifications")["rows"]
        assert rectifications and all(row[4] == "待书面说明" for row in rectifications)
        [finding] = section(report, "sanctions.fault_tolerance")["rows"]
        assert finding[2] == "及时止损、挽回损失" and finding[4].startswith("减轻")
        assert finding[5] == "及时止损，挽回全部损失"
        text = pdf_text(report)
        for needed in ("容错纠错认定", "及时止损，挽回全部损失", "整改", "待书面说明", "书面说明原因并限期整改",
                       "奖惩措施"):
            assert needed in text, needed

    def test_the_page_shows_every_section(self, scene: City) -> None:
        client = Client()
        client.force_login(scene.users["credit"])
        report: CreditReport = scene.org_report
        page = client.get(reverse("reports:report", args=[report.number])).content.decode()
        for s in report.content["sections"]:
            assert f"<h2>{s['title']}</h2>" in page
        assert "及时止损，挽回全部损失" in page and "待书面说明" in page
        client.force_login(scene.users["personnel"])
        person: CreditReport = scene.person_report
        page = client.get(reverse("reports:report", args=[person.number])).content.decode()
        assert scene.objection.number in page and "已纠正失信行为并作出信用承诺" in page
        assert scene.people["xuanwu"].full_id_number() not in page

    def test_holders_name_every_subject_with_rows_and_no_other(self, scene: City) -> None:
        person, clean, org = scene.people["xuanwu"], scene.people["qinhuai"], scene.orgs["xinjiekou"]
        for key, s in registered_sections():
            assert s.holders is not None, key
            for field, subject in (("subject_person", person), ("subject_person", clean), ("subject_org", org)):
                holders = s.holders(field, [person.pk, clean.pk] if field == "subject_person" else [org.pk])
                if s.rows({field: subject}, clock.now()):
                    assert subject.pk in holders, (key, subject)
            assert clean.pk not in s.holders("subject_person", [person.pk, clean.pk]), key

    def test_a_report_issued_in_a_batch_group_says_the_same(self, scene: City, settings: Any, tmp_path: Path) -> None:
        settings.MEDIA_ROOT = tmp_path
        with holders_known({"subject_person": [scene.people["xuanwu"].pk, scene.people["qinhuai"].pk],
                            "subject_org": [scene.orgs["xinjiekou"].pk]}):
            with CaptureQueriesContext(connection) as clean:
                services.issue_report(scene.users["credit"], scene.people["qinhuai"], verify_url=URL, **PURPOSE)
            report, code = services.issue_report(scene.users["credit"], scene.orgs["xinjiekou"], verify_url=URL,
                                                 **PURPOSE)
        with CaptureQueriesContext(connection) as alone:
            services.issue_report(scene.users["credit"], scene.people["qinhuai"], verify_url=URL, **PURPOSE)
        assert len(clean) <= len(alone) - len(registered_sections())  # no section read for a clean candidate
        earlier: CreditReport = scene.org_report
        assert report.content["sections"] == earlier.content["sections"]
        assert report.archive_digest == earlier.archive_digest
        assert services.verify(report.number, code).changed_since is False

    def test_both_verify_as_unchanged(self, scene: City) -> None:
        for report, code in ((scene.person_report, scene.person_code),
                             (scene.org_report, scene.org_code)):
            result = services.verify(report.number, code)
            assert result.genuine and result.changed_since is False, report.number


def test_an_objection_filed_after_issue_is_a_change_since(city: City, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    person = city.people["xuanwu"]
    report, code = services.issue_report(city.users["personnel"], person, verify_url=URL, **PURPOSE)
    assert section(report, "remedies.objections")["rows"] == []
    assert services.verify(report.number, code).changed_since is False
    file_objection(city.records["xuanwu_discipline"], ground="记录内容有误", reasons="处分种类有误", files=[],
                   user=city.users["subject"])
    result = services.verify(report.number, code)
    assert result.genuine and result.changed_since is True
    later, later_code = services.issue_report(city.users["personnel"], person, verify_url=URL, **PURPOSE)
    assert len(section(later, "remedies.objections")["rows"]) == 1
    assert services.verify(later.number, later_code).changed_since is False


def test_a_new_record_is_a_change_since(city: City, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    report, code = services.issue_report(city.users["personnel"], city.people["qinhuai"], verify_url=URL, **PURPOSE)
    assert services.verify(report.number, code).changed_since is False
    breach_about(city)
    assert services.verify(report.number, code).changed_since is True


def test_a_report_issued_before_sections_were_keyed_still_verifies(city: City, settings: Any, tmp_path: Path) -> None:
    """A report stored before this change has unkeyed sections and a digest over the archive's two only."""
    settings.MEDIA_ROOT = tmp_path
    report, code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL, **PURPOSE)
    legacy = {**report.content, "sections": [{k: v for k, v in s.items() if k != "key"}
                                              for s in report.content["sections"] if s["key"].startswith("archive.")]}
    with connection.cursor() as cursor:  # as it was stored then, behind the ledger's back
        cursor.execute(f"UPDATE {CreditReport._meta.db_table} SET content = %s, content_digest = %s, "
                       "archive_digest = %s WHERE id = %s",
                       [json.dumps(legacy, ensure_ascii=False), services._digest(legacy),
                        services.archive_digest(city.people["xuanwu"], services.LEGACY_SECTION_KEYS), report.pk])
    assert services.verify(report.number, code).changed_since is False
    file_objection(city.records["xuanwu_discipline"], ground="记录内容有误", reasons="处分种类有误", files=[],
                   user=city.users["subject"])
    assert services.verify(report.number, code).changed_since is True  # the record is now 异议中


def test_the_digest_does_not_depend_on_the_reader_language(city: City, settings: Any, tmp_path: Path) -> None:
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        report, code = services.issue_report(city.users["personnel"], city.people["xuanwu"], verify_url=URL,
                                             **PURPOSE)
    assert services.verify(report.number, code).changed_since is False
    with translation.override("en"):
        assert services.verify(report.number, code).changed_since is False


def breach_about(city: City) -> Any:
    from govcredit.archive.services import record_decision
    from govcredit.catalog.models import RecordType

    jlcf = RecordType.objects.get(code="jlcf").current()
    return record_decision(jlcf, {
        "处分决定文号": "秦纪〔2026〕3号", "处分机关": "秦淮区纪委监委", "处分决定日期": "2026-01-05",
        "处分种类": "警告", "违纪违法事实": "违规接受宴请", "严重程度": "一般",
    }, issuing_org=city.orgs["qinhuai"], subject_person=city.people["qinhuai"], actor="test")
