"""Importing PPP projects (stages, responsible posts, duties) and investment promises from XLSX and CSV: a good
file, each kind of bad row, re-import, scope, the template and the error report, the command and the page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_q.conf import Conf
from python_calamine import CalamineWorkbook

from govcredit.commitments import importer
from govcredit.commitments.importer import DUTIES, PROJECTS, PROMISES, import_commitments
from govcredit.commitments.models import (
    CommitmentImport,
    Duty,
    DutyStatus,
    ImportJob,
    PPPProject,
    ProjectStage,
    Promise,
    Stage,
)
from govcredit.core import spreadsheet
from govcredit.ledger.models import LedgerEntry
from govcredit.obligations.models import Obligation
from govcredit.testing import City, on_day

from .helpers import COMPANY, HEAD, add_head

DAY = dt.date(2026, 9, 1)
pytestmark = [pytest.mark.time_machine(on_day(DAY))]


def _head(table: str) -> list[str]:
    return [("*" if c in importer.REQUIRED[table] else "") + c for c in importer.COLUMNS[table]]


def stage_row(number: str, org: str, stage: str, started: str, post: str = HEAD, person: str = "", **over: str) -> dict[str, str]:
    return {"项目编号": number, "项目名称": "玄武区智慧停车PPP项目", "实施机构统一社会信用代码": org,
            "社会资本方": "南京停车投资有限公司", "社会资本方统一社会信用代码": COMPANY, "总投资（万元）": "12000.5",
            "阶段": stage, "开始日期": started, "责任单位统一社会信用代码": "", "责任岗位": post, "责任人": person, **over}


def duty_row(number: str, stage: str, title: str, due: str, done: str = "", **over: str) -> dict[str, str]:
    return {"项目编号": number, "阶段": stage, "义务类别": "合同付款", "义务内容": title, "依据": "PPP项目合同第12条",
            "履行期限": due, "金额（万元）": "800", "履行日期": done, **over}


def promise_row(number: str, org: str, **over: str) -> dict[str, str]:
    return {"承诺编号": number, "承诺单位统一社会信用代码": org, "投资方": "南京芯片科技有限公司", "投资方统一社会信用代码": COMPANY,
            "投资方联系电话": "13912345678", "承诺类别": "补贴", "承诺内容": "投产后三年内给予产业扶持资金",
            "法律政策依据": "《南京市招商引资优惠政策》第五条", "合同或文件编号": "投资协议〔2026〕1号", "金额（万元）": "300",
            "承诺日期": "2026-03-01", "兑现期限": "2027-03-01", "责任岗位": HEAD, **over}


def workbook(path: Path, sheets: dict[str, list[dict[str, str]]]) -> Path:
    book = spreadsheet.workbook(str(path))
    for table, rows in sheets.items():
        sheet = book.add_worksheet(table)
        for col, name in enumerate(_head(table)):
            sheet.write_string(0, col, name)
        for i, row in enumerate(rows, start=1):
            for col, name in enumerate(importer.COLUMNS[table]):
                sheet.write_string(i, col, row.get(name, ""))
    book.close()
    return path


def csv_file(path: Path, table: str, rows: list[dict[str, str]]) -> Path:
    lines = [",".join(importer.COLUMNS[table])]
    lines += [",".join(row.get(c, "") for c in importer.COLUMNS[table]) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


class World:
    def __init__(self, city: City, tmp_path: Path) -> None:
        self.city, self.tmp = city, tmp_path
        self.xuanwu = city.orgs["xuanwu"].credit_code
        self.qinhuai = city.orgs["qinhuai"].credit_code
        self.district = city.users["district"]
        self.head = add_head(city, "xuanwu_head", "赵玄武", "xuanwu", DAY - dt.timedelta(days=1000), 901)

    def good(self, name: str = "good.xlsx") -> Path:
        return workbook(self.tmp / name, {
            PROJECTS: [stage_row("XW-PPP-01", self.xuanwu, "识别", "2026-01-05", person="赵玄武"),
                       stage_row("XW-PPP-01", self.xuanwu, "准备", "2026-03-01"),
                       stage_row("XW-PPP-01", self.xuanwu, "采购", "2026-05-10")],
            DUTIES: [duty_row("XW-PPP-01", "准备", "实施方案审批", "2026-04-01", "2026-03-20", 义务类别="审批", **{"金额（万元）": ""}),
                     duty_row("XW-PPP-01", "采购", "首期可行性缺口补助", "2026-12-31")],
            PROMISES: [promise_row("XW-ZS-001", self.xuanwu), promise_row("XW-ZS-002", self.xuanwu, 承诺类别="土地",
                                                                          **{"金额（万元）": ""})],
        })

    def run(self, path: Path, user: Any = None, **kw: Any) -> importer.ImportReport:
        return import_commitments(path, user=user or self.district, **kw)


@pytest.fixture
def world(shared_city: City, tmp_path: Path) -> World:
    return World(shared_city, tmp_path)


def _state() -> tuple[int, int, int, int, int, int]:
    touched = LedgerEntry.objects.exclude(action="commitments.import.run")
    return (PPPProject.objects.count(), ProjectStage.objects.count(), Duty.objects.count(), Promise.objects.count(),
            Obligation.objects.count(), touched.count())


class TestGoodFile:
    def test_projects_stages_duties_and_promises_through_the_services(self, world: World) -> None:
        before = _state()
        report = world.run(world.good())
        assert report.ok, report.errors
        assert report.counts["projects_created"] == 1 and report.counts["stages_started"] == 2
        assert report.counts["duties_created"] == 2 and report.counts["duties_fulfilled"] == 1
        assert report.counts["promises_created"] == 2
        project = PPPProject.objects.get(number="XW-PPP-01")
        assert project.stage == Stage.PROCURE and project.investment == Decimal("12000.50")
        assert project.org == world.city.orgs["xuanwu"] and project.partner_code == COMPANY
        stages = list(project.stages.order_by("started_on"))
        assert [(s.stage, s.started_on, s.ended_on) for s in stages] == [
            ("识别", dt.date(2026, 1, 5), dt.date(2026, 3, 1)), ("准备", dt.date(2026, 3, 1), dt.date(2026, 5, 10)),
            ("采购", dt.date(2026, 5, 10), None)]
        approval = project.duties.get(title="实施方案审批")
        assert approval.stage.stage == "准备" and approval.status == DutyStatus.DONE and approval.amount is None
        # every object through the services: ledger entries and the obligations register
        assert LedgerEntry.objects.filter(action="commitments.project.create", entity_id=str(project.pk)).exists()
        assert LedgerEntry.objects.filter(action="commitments.stage.start").count() >= 3
        assert Obligation.objects.filter(kind="ppp.duty", reference__startswith="XW-PPP-01-").count() == 2
        promise = Promise.objects.get(number="XW-ZS-001")
        assert promise.amount == Decimal(300) and promise.legal_basis.startswith("《南京市")
        assert Obligation.objects.filter(kind="investment.promise", reference="XW-ZS-001").exists()
        # the query codes are handed back once, and they work on the investor's page
        codes = dict(report.codes)
        from govcredit.commitments.services import find_by_code
        assert find_by_code("xw-zs-001", codes["XW-ZS-001"]) == promise
        assert _state()[3] == before[3] + 2
        run = report.run
        assert run is not None and run.n_rejected == 0 and run.counts["promises_created"] == 2
        assert LedgerEntry.objects.filter(action="commitments.import.run", entity_id=str(run.pk)).exists()
        assert "code" not in str(run.rejected) and codes["XW-ZS-001"] not in str(run.counts)

    def test_reimport_changes_nothing(self, world: World) -> None:
        path = world.good()
        world.run(path)
        before = _state()
        again = world.run(path)
        assert again.ok, again.errors
        assert again.counts["projects_unchanged"] == 1 and again.counts["promises_unchanged"] == 2
        assert sum(again.counts[k] for k in ("projects_created", "projects_updated", "stages_started",
                                             "duties_created", "duties_fulfilled", "promises_created")) == 0
        assert _state() == before and again.codes == []

    def test_a_later_file_moves_the_project_on(self, world: World) -> None:
        world.run(world.good())
        path = workbook(world.tmp / "later.xlsx", {PROJECTS: [
            stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-05"), stage_row("XW-PPP-01", world.xuanwu, "准备", "2026-03-01"),
            stage_row("XW-PPP-01", world.xuanwu, "采购", "2026-05-10"), stage_row("XW-PPP-01", world.xuanwu, "执行", "2026-08-01")],
            DUTIES: [duty_row("XW-PPP-01", "采购", "首期可行性缺口补助", "2026-12-31", "2026-08-20")]})
        report = world.run(path)
        assert report.ok, report.errors
        assert report.counts["projects_updated"] == 1 and report.counts["stages_started"] == 1
        assert report.counts["duties_fulfilled"] == 1
        assert PPPProject.objects.get(number="XW-PPP-01").stage == Stage.EXECUTE

    def test_a_lawful_change_since_does_not_make_the_original_file_wrong(self, world: World) -> None:
        from govcredit.commitments.services import change_promise
        path = world.good()
        world.run(path)
        change_promise(Promise.objects.get(number="XW-ZS-001"), legal_basis="《优化营商环境条例》第三十一条",
                       procedure="区政府常务会议纪要〔2026〕9号", reason="上位规划调整", decided_on=DAY,
                       new_due_on=dt.date(2027, 9, 1), actor=world.district)
        report = world.run(path)
        assert report.ok, report.errors

    def test_csv_files_one_table_each(self, world: World) -> None:
        report = world.run(csv_file(world.tmp / "p.csv", PROJECTS, [
            stage_row("XW-PPP-02", world.xuanwu, "识别", "2026/1/5"), stage_row("XW-PPP-02", world.xuanwu, "准备", "2026年3月1日")]))
        assert report.ok, report.errors
        report = world.run(csv_file(world.tmp / "d.csv", DUTIES, [duty_row("XW-PPP-02", "识别", "物有所值评价公开", "2026-02-01",
                                                                           义务类别="信息公开")]))
        assert report.ok and report.counts["duties_created"] == 1, report.errors
        report = world.run(csv_file(world.tmp / "z.csv", PROMISES, [promise_row("XW-ZS-009", world.xuanwu)]))
        assert report.ok and report.counts["promises_created"] == 1, report.errors
        assert PPPProject.objects.get(number="XW-PPP-02").stage == Stage.PREPARE

    def test_dry_run_writes_nothing(self, world: World) -> None:
        before = _state()
        report = world.run(world.good(), dry_run=True)
        assert report.ok and report.counts["projects_created"] == 1 and report.codes == []
        assert _state() == before


BAD_STAGES = [
    ({"项目名称": ""}, "项目名称", "必填项为空"),
    ({"实施机构统一社会信用代码": "12345"}, "实施机构统一社会信用代码", "不在您的管辖范围内"),
    ({"阶段": "施工"}, "阶段", "应为"),
    ({"开始日期": "2026-13-01"}, "开始日期", "日期格式"),
    ({"开始日期": "2027-01-01"}, "开始日期", "不能晚于今天"),
    ({"责任岗位": ""}, "责任岗位", "必填项为空"),
    ({"责任人": "钱某某"}, "责任人", "赵玄武"),
    ({"总投资（万元）": "一千万"}, "总投资（万元）", "不是金额"),
    ({"项目编号": "XW PPP 01"}, "项目编号", "字母、数字"),
    ({"社会资本方统一社会信用代码": "91320100MA12345678"}, "社会资本方统一社会信用代码", ""),
]


class TestBadRows:
    @pytest.mark.parametrize(("change", "column", "words"), BAD_STAGES)
    def test_a_bad_stage_row_rejects_its_project_and_nothing_of_it_is_written(
            self, world: World, change: dict[str, str], column: str, words: str) -> None:
        path = workbook(world.tmp / "bad.xlsx", {
            PROJECTS: [stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-05", **change),
                       stage_row("XW-PPP-01", world.xuanwu, "准备", "2026-03-01", **change)],
            DUTIES: [duty_row("XW-PPP-01", "准备", "实施方案审批", "2026-04-01")],
            PROMISES: [promise_row("XW-ZS-001", world.xuanwu)]})
        before = _state()
        report = world.run(path)
        assert not report.ok
        sheet, row, col, message = report.errors[0]
        assert (sheet, row, col) == (PROJECTS, 2, column) and words in message, report.errors
        assert {(e[0], e[1]) for e in report.errors} >= {(PROJECTS, 2), (DUTIES, 2)}  # the whole project refused
        assert not PPPProject.objects.filter(number__in=["XW-PPP-01", "XW PPP 01"]).exists()
        assert report.counts["promises_created"] == 1  # the valid rows are written
        assert _state()[:3] == before[:3]

    @pytest.mark.parametrize(("rows", "column", "words"), [
        ([("准备", "2026-03-01")], "阶段", "缺少“识别”"),
        ([("识别", "2026-03-01"), ("采购", "2026-04-01")], "阶段", "缺少“准备”"),
        ([("识别", "2026-03-01"), ("准备", "2026-02-01")], "开始日期", "不能早于"),
        ([("识别", "2026-03-01"), ("识别", "2026-03-02")], "阶段", "重复"),
    ])
    def test_stages_in_order(self, world: World, rows: list[tuple[str, str]], column: str, words: str) -> None:
        path = workbook(world.tmp / "order.xlsx", {PROJECTS: [stage_row("XW-PPP-05", world.xuanwu, s, d) for s, d in rows]})
        report = world.run(path)
        assert any(e[2] == column and words in e[3] for e in report.errors), report.errors
        assert not PPPProject.objects.filter(number="XW-PPP-05").exists()

    def test_a_row_that_disagrees_with_its_project(self, world: World) -> None:
        path = workbook(world.tmp / "x.xlsx", {PROJECTS: [
            stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-05"),
            stage_row("XW-PPP-01", world.xuanwu, "准备", "2026-03-01", 项目名称="另一个项目")]})
        report = world.run(path)
        assert (PROJECTS, 3, "项目名称") in [e[:3] for e in report.errors]
        assert any("同一项目的其他行有错误" in e[3] for e in report.errors if e[1] == 2)

    @pytest.mark.parametrize(("change", "column", "words"), [
        ({"义务类别": "罚款"}, "义务类别", "应为"),
        ({"阶段": "执行"}, "阶段", "没有“执行”阶段"),
        ({"依据": ""}, "依据", "必填项为空"),
        ({"履行期限": "明年"}, "履行期限", "日期格式"),
        ({"金额（万元）": "-5"}, "金额（万元）", "大于零"),
        ({"履行日期": "2026-12-01"}, "履行日期", "不能晚于今天"),
        ({"项目编号": "XW-PPP-77"}, "项目编号", "找不到该项目"),
    ])
    def test_bad_duty_rows(self, world: World, change: dict[str, str], column: str, words: str) -> None:
        path = workbook(world.tmp / "d.xlsx", {
            PROJECTS: [stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-05")],
            DUTIES: [duty_row("XW-PPP-01", "识别", "物有所值评价", "2026-04-01", **change)]})
        report = world.run(path)
        assert any(e[0] == DUTIES and e[2] == column and words in e[3] for e in report.errors), report.errors
        if change.get("项目编号") != "XW-PPP-77":
            assert not PPPProject.objects.filter(number="XW-PPP-01").exists()

    @pytest.mark.parametrize(("change", "column", "words"), [
        ({"承诺类别": "奖励"}, "承诺类别", "应为"),
        ({"法律政策依据": ""}, "法律政策依据", "必填项为空"),
        ({"兑现期限": "2026-01-01"}, "兑现期限", "不能早于承诺日期"),
        ({"投资方统一社会信用代码": "91320100MA1234567X"}, "投资方统一社会信用代码", ""),
        ({"承诺单位统一社会信用代码": "qinhuai"}, "承诺单位统一社会信用代码", "不在您的管辖范围内"),
        ({"金额（万元）": "1.234"}, "金额（万元）", "两位小数"),
    ])
    def test_bad_promise_rows(self, world: World, change: dict[str, str], column: str, words: str) -> None:
        if change.get("承诺单位统一社会信用代码") == "qinhuai":
            change = {"承诺单位统一社会信用代码": world.qinhuai}
        path = workbook(world.tmp / "z.xlsx", {PROMISES: [promise_row("XW-ZS-001", world.xuanwu, **change),
                                                          promise_row("XW-ZS-002", world.xuanwu)]})
        report = world.run(path)
        assert [e[:3] for e in report.errors] == [(PROMISES, 2, column)] and words in report.errors[0][3], report.errors
        assert not Promise.objects.filter(number="XW-ZS-001").exists()
        assert Promise.objects.filter(number="XW-ZS-002").exists()

    def test_a_row_that_contradicts_what_is_registered(self, world: World) -> None:
        world.run(world.good())
        path = workbook(world.tmp / "changed.xlsx", {
            PROJECTS: [stage_row("XW-PPP-01", world.xuanwu, "识别", "2026-01-06")],
            PROMISES: [promise_row("XW-ZS-001", world.xuanwu, **{"金额（万元）": "500"})]})
        before = _state()
        report = world.run(path)
        assert [(e[0], e[2]) for e in report.errors] == [(PROJECTS, "开始日期"), (PROMISES, "金额（万元）")], report.errors
        assert "依法" in report.errors[1][3]
        assert _state() == before

    def test_a_file_without_the_required_columns_or_not_a_table(self, world: World) -> None:
        path = world.tmp / "cols.csv"
        path.write_text("承诺编号,投资方\nA-1,某公司\n", encoding="utf-8")
        report = world.run(path)
        assert report.errors and report.errors[0][1] == 0 and "缺少必需的列" in report.errors[0][3]
        junk = world.tmp / "junk.xlsx"
        junk.write_bytes(b"PK\x03\x04 not really")
        report = world.run(junk)
        assert report.errors and report.errors[0][1] == 0
        assert CommitmentImport.objects.filter(file_name="junk.xlsx", n_rejected=1).exists()


class TestScope:
    def test_a_district_imports_only_its_own_organisations(self, world: World) -> None:
        path = workbook(world.tmp / "qinhuai.xlsx", {
            PROJECTS: [stage_row("QH-PPP-01", world.qinhuai, "识别", "2026-01-05")],
            PROMISES: [promise_row("QH-ZS-001", world.qinhuai)]})
        report = world.run(path)
        assert len(report.errors) == 2 and all("不在您的管辖范围内" in e[3] for e in report.errors)
        assert not PPPProject.objects.filter(number="QH-PPP-01").exists()
        # the credit office may import for any organisation
        assert world.run(path, user=world.city.users["credit"]).ok

    def test_a_number_held_outside_the_scope_is_refused_without_saying_whose(self, world: World) -> None:
        world.run(workbook(world.tmp / "qh.xlsx", {
            PROJECTS: [stage_row("QH-PPP-01", world.qinhuai, "识别", "2026-01-05")],
            PROMISES: [promise_row("QH-ZS-001", world.qinhuai)]}), user=world.city.users["credit"])
        report = world.run(workbook(world.tmp / "xw.xlsx", {
            PROJECTS: [stage_row("QH-PPP-01", world.xuanwu, "识别", "2026-01-05")],
            DUTIES: [duty_row("QH-PPP-01", "识别", "审批", "2026-04-01")],
            PROMISES: [promise_row("QH-ZS-001", world.xuanwu)]}))
        assert [(e[0], e[2]) for e in report.errors] == [(PROJECTS, "项目编号"), (DUTIES, "项目编号"), (PROMISES, "承诺编号")]
        assert not any("秦淮" in e[3] for e in report.errors)
        assert not Duty.objects.filter(title="审批").exists()

    def test_roles_that_may_not_manage(self, world: World) -> None:
        from django.core.exceptions import PermissionDenied
        with pytest.raises(PermissionDenied):
            world.run(world.good(), user=world.city.users["personnel"])


class TestTemplateAndReport:
    def test_the_template_reads_back_as_an_empty_file_with_every_column(self, world: World) -> None:
        path = world.tmp / "template.xlsx"
        with path.open("wb") as f:
            importer.write_template(f)
        book = CalamineWorkbook.from_path(str(path))
        assert book.sheet_names[:3] == [PROJECTS, DUTIES, PROMISES]
        assert book.get_sheet_by_name(PROMISES).to_python()[0][0] == "*承诺编号"
        parsed = importer.read_file(path)
        assert not parsed.errors and parsed.total == 0 and set(parsed.sheets) == {PROJECTS, DUTIES, PROMISES}

    def test_the_fixed_report_uploads_as_it_is(self, world: World) -> None:
        path = workbook(world.tmp / "bad.xlsx", {PROMISES: [promise_row("XW-ZS-001", world.xuanwu, 承诺类别="奖励"),
                                                            promise_row("XW-ZS-002", world.xuanwu)]})
        report = world.run(path)
        out = io.BytesIO()
        importer.write_report(report.rejected, out)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_name(PROMISES).to_python()
        assert rows[0][-3:] == ["错误列", "错误原因", "原行号"] and len(rows) == 2
        assert rows[1][0] == "XW-ZS-001" and rows[1][-3] == "承诺类别"
        fixed = world.tmp / "fixed.xlsx"
        book = spreadsheet.workbook(str(fixed))
        sheet = book.add_worksheet(PROMISES)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                sheet.write_string(r, c, str(value))
        sheet.write_string(1, rows[0].index("*承诺类别"), "补贴")
        book.close()
        again = world.run(fixed)
        assert again.ok and again.counts["promises_created"] == 1, again.errors


class TestCommand:
    def test_import_with_progress_and_a_report(self, world: World) -> None:
        out = io.StringIO()
        report = world.tmp / "report.xlsx"
        call_command("import_commitments", str(world.good()), user=world.district.username, report=str(report),
                     stdout=out, verbosity=0)
        text = out.getvalue()
        assert "新建项目 1 个" in text and "XW-ZS-001" in text, text
        assert PPPProject.objects.filter(number="XW-PPP-01").exists()
        codes = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("查询码").to_python()
        assert [r[0] for r in codes[1:]] == ["XW-ZS-001", "XW-ZS-002"]
        job = ImportJob.objects.get()  # the same run as a page's upload, run here with the bar; codes printed, not kept
        assert (job.source, job.status, job.rows_done, job.rows_total) == ("cli", "已完成", 7, 7)
        assert not job.codes.exists() and job.run is not None and job.file_path == str(world.tmp / "good.xlsx")

    def test_errors_fail_the_command(self, world: World) -> None:
        path = workbook(world.tmp / "bad.xlsx", {PROMISES: [promise_row("XW-ZS-001", world.xuanwu, 承诺类别="奖励")]})
        out = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_commitments", str(path), user=world.district.username, stdout=out, verbosity=0)
        assert "承诺 第 2 行 承诺类别" in out.getvalue()

    def test_unknown_user(self, world: World) -> None:
        with pytest.raises(CommandError):
            call_command("import_commitments", str(world.good()), user="nobody", stdout=io.StringIO())


class TestPage:
    """The page stores the file and runs the import in the task queue (run in-process here: django-q2's sync
    mode, as the intake's page tests do); the run's page shows the result."""

    @pytest.fixture(autouse=True)
    def _queue(self, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
        monkeypatch.setattr(Conf, "SYNC", True)
        settings.MEDIA_ROOT = tmp_path / "media"

    def _client(self, world: World, role: str = "district") -> Client:
        client = Client()
        client.force_login(world.city.users[role])
        return client

    def test_upload_shows_counts_codes_once_and_the_report(self, world: World) -> None:
        client = self._client(world)
        page = client.get(reverse("commitments:import_page"))
        assert page.status_code == 200 and reverse("commitments:import_template").encode() in page.content
        template = client.get(reverse("commitments:import_template"))
        assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
        path = workbook(world.tmp / "mixed.xlsx", {PROMISES: [promise_row("XW-ZS-001", world.xuanwu),
                                                              promise_row("XW-ZS-002", world.xuanwu, 承诺类别="奖励")]})
        with path.open("rb") as f:
            answer = client.post(reverse("commitments:import_page"), {"file": f})
        job = ImportJob.objects.get()
        assert answer.status_code == 302 and answer["Location"] == reverse("commitments:import_run", args=[job.pk])
        html = client.get(answer["Location"]).content.decode()
        assert 'id="import-codes"' in html and "XW-ZS-001" in html and "已完成" in html
        assert 'id="import-errors"' in html and "承诺类别" in html and 'http-equiv="refresh"' not in html
        run = CommitmentImport.objects.latest("pk")
        assert job.run == run
        report = client.get(reverse("commitments:import_report", args=[run.pk]))
        assert report.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))  # type: ignore[attr-defined]
                                              ).get_sheet_by_name(PROMISES).to_python()
        assert rows[1][0] == "XW-ZS-002"
        # the codes are not shown again, on the run's page or anywhere; the list shows the run
        again = client.get(answer["Location"]).content.decode()
        assert 'id="import-codes"' not in again and 'id="import-errors"' in again
        listing = client.get(reverse("commitments:import_page")).content.decode()
        assert "mixed.xlsx" in listing and 'id="import-codes"' not in listing
        # another organisation's run and report are not found; the credit office reads them
        other = self._client(world, "submitter")
        assert other.get(reverse("commitments:import_report", args=[run.pk])).status_code == 404
        assert other.get(answer["Location"]).status_code == 404
        assert "mixed.xlsx" not in other.get(reverse("commitments:import_page")).content.decode()
        credit = self._client(world, "credit")
        assert credit.get(reverse("commitments:import_report", args=[run.pk])).status_code == 200
        assert credit.get(answer["Location"]).status_code == 200

    def test_a_file_that_is_not_a_table(self, world: World, settings: Any) -> None:
        client = self._client(world)
        answer = client.post(reverse("commitments:import_page"), {"file": io.BytesIO(b"\x00\x01binary")})
        assert answer.status_code == 400
        broken = SimpleUploadedFile("项目.xlsx", b"PK\x03\x04 not really a workbook")
        answer = client.post(reverse("commitments:import_page"), {"file": broken})
        assert answer.status_code == 400 and "errorlist" in answer.content.decode()
        other = csv_file(world.tmp / "other.csv", PROJECTS, [])
        other.write_text("姓名,电话\n张三,123\n", encoding="utf-8")
        with other.open("rb") as f:
            answer = client.post(reverse("commitments:import_page"), {"file": f})
        assert answer.status_code == 400 and "不是PPP项目或招商引资承诺的导入文件" in answer.content.decode()
        assert not ImportJob.objects.exists()
        stored = Path(settings.MEDIA_ROOT) / "commitments" / "uploads"
        assert not stored.exists() or not any(stored.iterdir())

    def test_roles_that_may_not_import(self, world: World) -> None:
        assert self._client(world, "personnel").get(reverse("commitments:import_page")).status_code == 403
