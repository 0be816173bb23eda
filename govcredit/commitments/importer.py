"""Importing PPP projects (with their stages, responsible posts and duties) and investment promises from an
XLSX workbook or a CSV file, with an error per row.

The workbook has up to three sheets, each optional, and a CSV file is any one of them (told by its header):

* ``项目阶段``: one row per stage of a project (识别, 准备, 采购, 执行, 移交, and 已移交 for the day the
  transfer ended), the project's columns repeated on each row; the stage's responsible organisation and post,
  and optionally the person, checked against the post history on the stage's first day;
* ``义务``: the government side's duties, by project number and stage, with an optional date performed;
* ``承诺``: one investment promise per row.

The file is read by the intake's readers (``intake.sources``, through ``core.reading``: zip-bomb and size
checks, the header found below title rows, neutralised cells restored, so a fixed error report uploads as it
is). Every object is created through :mod:`.services` (ledger entries, the obligations register).

What is written, like the contract import (``obligations.importer``): the valid rows, each project with all
its rows or not at all (its stages and duties depend on one another), each promise on its own; a rejected
row is reported with its sheet, row number, column and reason, and kept as sent for the XLSX error report.
Each project and each promise is committed on its own, so a run that stops keeps what it wrote and its progress
is seen while it goes on (a page's upload runs in the task queue: :mod:`.runs`). ``dry_run`` checks everything
and writes nothing.

Importing the same file again changes nothing: projects and promises are matched by their numbers; a row
that matches what is registered counts as unchanged, a row that contradicts it is refused (a change of a
project or a promise has its own procedure on the pages). A project's stages may grow: a file that lists
the next stage moves the project on, a duty not yet registered is added, a date performed fulfils an open
duty. Scope: the organisations must be among those the user may record for (``selectors.managed_orgs``); a
number held by a project or promise outside that scope is refused without saying whose it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.catalog.schema import clean_text
from govcredit.core import clock, spreadsheet
from govcredit.core.errors import DomainError
from govcredit.intake.sources import FileRejected, open_table
from govcredit.intake.sources.common import NoHeader
from govcredit.intake.sources.xlsx import NoSuchSheet
from govcredit.ledger.services import Actor, save_with_entry
from govcredit.subjects.models import Organization

from . import services
from .models import (
    STAGE_ORDER,
    CommitmentImport,
    DutyKind,
    DutyStatus,
    PPPProject,
    Promise,
    PromiseKind,
    Stage,
)
from .responsibility import holders_on
from .selectors import managed_orgs, visible_projects, visible_promises

logger = logging.getLogger("govcredit.commitments")

PROJECTS, DUTIES, PROMISES = "项目阶段", "义务", "承诺"
COLUMNS: dict[str, list[str]] = {
    PROJECTS: ["项目编号", "项目名称", "实施机构统一社会信用代码", "社会资本方", "社会资本方统一社会信用代码", "总投资（万元）",
               "阶段", "开始日期", "责任单位统一社会信用代码", "责任岗位", "责任人"],
    DUTIES: ["项目编号", "阶段", "义务类别", "义务内容", "依据", "履行期限", "金额（万元）", "履行日期"],
    PROMISES: ["承诺编号", "承诺单位统一社会信用代码", "投资方", "投资方统一社会信用代码", "投资方联系电话", "承诺类别", "承诺内容",
               "法律政策依据", "合同或文件编号", "金额（万元）", "承诺日期", "兑现期限", "责任岗位"],
}
REQUIRED: dict[str, set[str]] = {
    PROJECTS: {"项目编号", "项目名称", "实施机构统一社会信用代码", "阶段", "开始日期", "责任岗位"},
    DUTIES: {"项目编号", "阶段", "义务类别", "义务内容", "依据", "履行期限"},
    PROMISES: {"承诺编号", "承诺单位统一社会信用代码", "投资方", "承诺类别", "承诺内容", "法律政策依据", "合同或文件编号", "承诺日期",
               "兑现期限", "责任岗位"},
}
HINTS: dict[str, str] = {
    "项目编号": "本单位或项目库的编号，字母、数字和“-”，不超过 20 位；重新导入时按编号识别",
    "承诺编号": "本单位的承诺编号，字母、数字和“-”，不超过 20 位；投资方凭编号和查询码查询",
    "阶段": "识别、准备、采购、执行、移交；移交完成的日期写一行“已移交”",
    "开始日期": "YYYY-MM-DD；阶段按顺序排列，后一阶段的开始日期即前一阶段的结束日期",
    "责任单位统一社会信用代码": "留空即实施机构",
    "责任岗位": "政府方责任岗位，如“区长”“局长”；责任随岗位，按任职经历确定责任人",
    "责任人": "可留空；填写时须是该岗位在阶段开始日期的任职者",
    "义务类别": "、".join(DutyKind.values),
    "承诺类别": "、".join(PromiseKind.values),
    "履行日期": "可留空；填写即登记已履行（信息公开为公开日期）",
    "总投资（万元）": "数字，最多两位小数",
    "金额（万元）": "数字，最多两位小数；可留空",
}
CHOICES: dict[str, list[str]] = {"阶段": [*(str(s) for s in STAGE_ORDER), str(Stage.DONE)],
                                 "义务类别": list(DutyKind.values), "承诺类别": list(PromiseKind.values)}
MAX_ROWS = 20_000
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
STAGE_INDEX = {str(s): i for i, s in enumerate([*STAGE_ORDER, Stage.DONE])}
MSG_GROUP = "同一项目的其他行有错误，该项目未导入"


def _key(name: str) -> str:
    """A column name as matched: NFKC-folded, without the required mark."""
    return clean_text(name, fold=True).lstrip("*").strip()


KEYS = {table: {_key(c): c for c in columns} for table, columns in COLUMNS.items()}


class RowError(DomainError):
    """One row of an imported file cannot be taken: the column and the reason, reported beside the row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class Row:
    table: str
    number: int  # the row's number in the file, as Excel counts it
    values: list[str]  # as sent, in the file's column order
    data: dict[str, str]  # by the template's column names, trimmed


@dataclass
class Sheet:
    table: str
    header: list[str]
    rows: list[Row]


@dataclass
class Parsed:
    sheets: dict[str, Sheet] = field(default_factory=dict)
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)  # the file's own: sheet, 0, columns, message

    @property
    def total(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


COUNTS = ["projects_created", "projects_updated", "projects_unchanged", "stages_started", "duties_created",
          "duties_fulfilled", "promises_created", "promises_unchanged"]


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)  # sheet, row, column, message
    rejected: dict[str, dict[str, Any]] = field(default_factory=dict)  # sheet → header and rows as sent
    codes: list[tuple[str, str]] = field(default_factory=list)  # new promises' numbers and query codes (shown once)
    run: CommitmentImport | None = None
    failed: bool = False  # the run stopped on an unexpected error: what it committed before stays

    @property
    def ok(self) -> bool:
        return not self.errors

    def reject(self, row: Row, header: list[str], column: str, message: str) -> None:
        self.errors.append((row.table, row.number, column, message))
        sheet = self.rejected.setdefault(row.table, {"header": header, "rows": []})
        sheet["rows"].append([row.number, row.values, column, message])




# --- reading ---------------------------------------------------------------------------------------------

def _kind_of(header: list[str]) -> str | None:
    keys = {_key(h) for h in header}
    if "承诺编号" in keys:
        return PROMISES
    if "义务内容" in keys:
        return DUTIES
    if "项目编号" in keys and "阶段" in keys:
        return PROJECTS
    return None


ALL_NAMES = {n for columns in COLUMNS.values() for c in columns for n in (_key(c), "*" + _key(c))}


def _not_ours() -> FileRejected:
    return FileRejected(_("不是PPP项目或招商引资承诺的导入文件：表头应含“项目编号”和“阶段”、“义务内容”或“承诺编号”，"
                          "请使用导入模板。"))


def _sheet(path: Path, file_name: str, sheet: str, table: str | None, header_only: bool = False) -> Sheet | None:
    names = ALL_NAMES if table is None else {n for c in COLUMNS[table] for n in (_key(c), "*" + _key(c))}
    try:
        source = open_table(path, names, sheet=sheet, file_name=file_name)
    except NoHeader:
        raise _not_ours() from None
    with source:
        header = list(source.header)
        kind = table or _kind_of(header)
        if kind is None:
            raise _not_ours()
        by_position = {i: KEYS[kind].get(_key(h)) for i, h in enumerate(header)}
        rows: list[Row] = []
        for frame in () if header_only else source.frames(2000):
            for rec in frame.iter_rows(named=True):
                values = [str(rec.get(f"c{i}") or "") for i in range(len(header))]
                data = {name: values[i].strip() for i, name in by_position.items() if name}
                rows.append(Row(kind, int(rec["_row"]), values, data))
                if len(rows) > MAX_ROWS:
                    raise FileRejected(_("文件超过 %(n)s 行，请分成几个文件导入。") % {"n": f"{MAX_ROWS:,}"})
    return Sheet(kind, header, rows)


def read_file(path: Path, file_name: str = "", *, header_only: bool = False) -> Parsed:
    """The file's sheets (a workbook's 项目阶段, 义务 and 承诺; a CSV file's one table, told by its header).
    ``header_only``: the sheets without their rows, to check a file as it is uploaded (is it a workbook or a
    CSV file of this import, with the required columns?) before it is stored and imported in the background."""
    parsed = Parsed()
    name = file_name or path.name
    spreadsheet_file = name.lower().endswith(".xlsx")
    try:
        if spreadsheet_file:
            for table in (PROJECTS, DUTIES, PROMISES):
                try:
                    sheet = _sheet(path, name, table, table, header_only)
                except NoSuchSheet:
                    continue
                if sheet is not None:
                    parsed.sheets[table] = sheet
        if not parsed.sheets:  # a CSV file, or a workbook whose first sheet has another name
            sheet = _sheet(path, name, "", None, header_only)
            if sheet is not None:
                parsed.sheets[sheet.table] = sheet
    except FileRejected as e:
        parsed.errors.append(("", 0, "", str(e)))
        parsed.sheets.clear()
        return parsed
    if sum(len(s.rows) for s in parsed.sheets.values()) > MAX_ROWS:
        parsed.errors.append(("", 0, "", _("文件超过 %(n)s 行，请分成几个文件导入。") % {"n": f"{MAX_ROWS:,}"}))
        parsed.sheets.clear()
    for table, sheet in list(parsed.sheets.items()):
        present = {KEYS[table].get(_key(h)) for h in sheet.header}
        missing = [c for c in COLUMNS[table] if c in REQUIRED[table] and c not in present]
        if missing:
            parsed.errors.append((table, 0, "、".join(missing), _("缺少必需的列")))
            del parsed.sheets[table]
    return parsed


# --- values ----------------------------------------------------------------------------------------------

def _required(row: Row, column: str) -> str:
    text = row.data.get(column, "")
    if not text:
        raise RowError(column, _("必填项为空"))
    return text


def _date(row: Row, column: str, *, required: bool = False) -> dt.date | None:
    text = row.data.get(column, "")
    if not text:
        if required:
            raise RowError(column, _("必填项为空"))
        return None
    match = DATE.fullmatch(clean_text(text, fold=True))
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RowError(column, _("日期格式应为 YYYY-MM-DD：%(text)s") % {"text": text}) from None


def _amount(row: Row, column: str, *, zero: bool = False) -> Decimal | None:
    text = clean_text(row.data.get(column, ""), fold=True).replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(column, _("不是金额：%(text)s") % {"text": text}) from None
    if not value.is_finite() or value < 0 or (value == 0 and not zero) or value != value.quantize(Decimal("0.01")) \
            or value >= Decimal(10) ** 14:
        raise RowError(column, _("金额须大于零，最多两位小数（万元）"))
    return value


def _number(row: Row, column: str) -> str:
    number = clean_text(_required(row, column), fold=True).upper()
    if not services.NUMBER.fullmatch(number):
        raise RowError(column, _("编号只能由字母、数字和“-”组成，不超过 20 位"))
    return number


def _code(row: Row, column: str) -> str:
    return clean_text(row.data.get(column, ""), fold=True).upper()


def _choice(row: Row, column: str, choices: list[str]) -> str:
    text = _required(row, column)
    if text not in choices:
        raise RowError(column, _("应为 %(choices)s 之一") % {"choices": "、".join(choices)})
    return text


def _dec(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


class _Orgs:
    """The organisations the user may record for, by credit code (one query per code)."""

    def __init__(self, user: Any) -> None:
        self.scope = managed_orgs(user)
        self.found: dict[str, Organization | None] = {}

    def get(self, row: Row, column: str, *, default: Organization | None = None) -> Organization:
        code = _code(row, column)
        if not code:
            if default is not None:
                return default
            raise RowError(column, _("必填项为空"))
        if code not in self.found:
            self.found[code] = self.scope.filter(credit_code=code).first()
        org = self.found[code]
        if org is None:
            raise RowError(column, _("找不到该单位，或不在您的管辖范围内"))
        return org


# --- projects --------------------------------------------------------------------------------------------

@dataclass
class StageSpec:
    row: Row
    stage: str
    started_on: dt.date
    org: Organization
    post: str


@dataclass
class DutySpec:
    row: Row
    stage: str
    kind: str
    title: str
    basis: str
    due_on: dt.date
    amount: Decimal | None
    done_on: dt.date | None


@dataclass
class Group:
    number: str
    stage_rows: list[Row] = field(default_factory=list)
    duty_rows: list[Row] = field(default_factory=list)

    @property
    def rows(self) -> list[Row]:
        return self.stage_rows + self.duty_rows


PROJECT_FIELDS = ["项目名称", "实施机构统一社会信用代码", "社会资本方", "社会资本方统一社会信用代码", "总投资（万元）"]


class Importer:
    def __init__(self, parsed: Parsed, user: Any, actor: Actor, report: ImportReport,
                 progress: Callable[[int], None] | None, *, dry_run: bool = False,
                 on_code: Callable[[str, str], None] | None = None) -> None:
        self.parsed, self.user, self.actor, self.report = parsed, user, actor, report
        self.progress = progress or (lambda n: None)
        self.dry_run, self.on_code = dry_run, on_code
        self.orgs = _Orgs(user)
        self.today = clock.today()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One project with all its rows, or one promise: its own transaction, committed when it ends (a dry run
        rolls it back), so a run that stops half-way keeps every unit written before, and its progress, written
        between units, is seen by the run's page while it goes on."""
        with transaction.atomic():
            yield
            if self.dry_run:
                transaction.set_rollback(True)

    def header(self, table: str) -> list[str]:
        return self.parsed.sheets[table].header

    # -- projects --

    def groups(self) -> list[Group]:
        groups: dict[str, Group] = {}
        for table in (PROJECTS, DUTIES):
            sheet = self.parsed.sheets.get(table)
            for row in sheet.rows if sheet else []:
                try:
                    number = _number(row, "项目编号")
                except RowError as e:
                    self.report.reject(row, self.header(table), e.column, str(e))
                    self.progress(1)
                    continue
                group = groups.setdefault(number, Group(number))
                (group.stage_rows if table == PROJECTS else group.duty_rows).append(row)
        return list(groups.values())

    def project_group(self, group: Group) -> None:
        errors: dict[int, tuple[str, str]] = {}  # id(row) → column, message
        project = PPPProject.objects.filter(number=group.number).select_related("org").first()
        stages: dict[str, StageSpec] = {}
        duties: list[DutySpec] = []
        if project is not None and not visible_projects(self.user).filter(pk=project.pk).exists():
            for row in group.rows:
                errors[id(row)] = ("项目编号", _("项目编号已被使用"))
        elif project is not None and not access.can_manage_commitments(self.user, project.org):
            for row in group.rows:
                errors[id(row)] = ("项目编号", _("您无权为该项目的实施机构登记"))
        else:
            stages = self.check_stages(group, project, errors)
            duties = self.check_duties(group, project, stages, errors)
        if not errors:
            try:
                with self.unit():
                    self.write_project(group, project, stages, duties)
            except RowError as e:  # raised with the row's id as its field
                row = next(r for r in group.rows if str(id(r)) == e.field)
                errors[id(row)] = (e.column, str(e))
            except (DomainError, ValidationError) as e:
                errors[id(group.rows[0])] = (_column(getattr(e, "field", "")), _message(e))
            except IntegrityError:  # another import took the number meanwhile
                errors[id(group.rows[0])] = ("项目编号", _("项目编号已被使用"))
        if errors:
            first = next(r for r in group.rows if id(r) in errors)
            for row in group.rows:
                column, message = errors.get(id(row), ("", _("%(msg)s（见%(sheet)s第 %(n)s 行）") % {
                    "msg": _(MSG_GROUP), "sheet": first.table, "n": first.number}))
                self.report.reject(row, self.header(row.table), column, message)
        self.progress(len(group.rows))

    def check_stages(self, group: Group, project: PPPProject | None,
                     errors: dict[int, tuple[str, str]]) -> dict[str, StageSpec]:
        specs: dict[str, StageSpec] = {}
        first: Row | None = None
        for row in group.stage_rows:
            try:
                for column in ("项目名称", "实施机构统一社会信用代码"):
                    _required(row, column)
                if first is None:
                    first = row
                    org = self.orgs.get(row, "实施机构统一社会信用代码")
                    _amount(row, "总投资（万元）", zero=True)
                    if project is not None:
                        self.same_project(row, project, org)
                else:
                    for column in PROJECT_FIELDS:
                        if _key(row.data.get(column, "")) != _key(first.data.get(column, "")):
                            raise RowError(column, _("与同一项目第 %(n)s 行不一致") % {"n": first.number})
                stage = _choice(row, "阶段", CHOICES["阶段"])
                if stage in specs:
                    raise RowError("阶段", _("同一项目的阶段“%(stage)s”重复") % {"stage": stage})
                started_on = _date(row, "开始日期", required=True) or dt.date.min
                if started_on > self.today:
                    raise RowError("开始日期", _("开始日期不能晚于今天"))
                implementing = self.orgs.get(first, "实施机构统一社会信用代码")
                resp_org = self.orgs.get(row, "责任单位统一社会信用代码", default=implementing)
                post = row.data.get("责任岗位", "")
                if stage != Stage.DONE:
                    post = _required(row, "责任岗位")
                    person = row.data.get("责任人", "")
                    if person:
                        names = [h.person.name for h in holders_on(resp_org, post, started_on)]
                        if person not in names:
                            raise RowError("责任人", _("%(org)s“%(post)s”岗位在 %(day)s 的任职者为%(who)s，不是 %(person)s") % {
                                "org": resp_org.name, "post": post, "day": started_on.isoformat(),
                                "who": "、".join(names) or _("（无人任职）"), "person": person})
                specs[stage] = StageSpec(row, stage, started_on, resp_org, post)
            except RowError as e:
                errors[id(row)] = (e.column, str(e))
        if errors:
            return specs
        ordered = sorted(specs.values(), key=lambda s: STAGE_INDEX[s.stage])
        existing = {s.stage: s for s in project.stages.select_related("responsible_org")} if project else {}
        for i, spec in enumerate(ordered):
            if STAGE_INDEX[spec.stage] != i:
                errors[id(spec.row)] = ("阶段", _("阶段应从“识别”起依次排列，缺少“%(stage)s”") % {
                    "stage": [*STAGE_ORDER, Stage.DONE][i]})
                break
            if i and spec.started_on < ordered[i - 1].started_on:
                errors[id(spec.row)] = ("开始日期", _("不能早于上一阶段的开始日期 %(day)s") % {
                    "day": ordered[i - 1].started_on.isoformat()})
                break
            old = existing.get(spec.stage)
            if spec.stage == Stage.DONE:
                done = project is not None and project.stage == Stage.DONE
                moved = existing.get(str(Stage.TRANSFER))
                if done and moved is not None and moved.ended_on != spec.started_on:
                    errors[id(spec.row)] = ("开始日期", _("与已登记的移交完成日期 %(day)s 不一致") % {
                        "day": moved.ended_on})
            elif old is not None:
                if (old.responsible_org_id, old.responsible_post, old.started_on) != (
                        spec.org.pk, spec.post, spec.started_on):
                    errors[id(spec.row)] = ("责任岗位" if old.started_on == spec.started_on else "开始日期", _(
                        "与已登记的阶段不一致：%(org)s“%(post)s”，%(day)s 开始") % {
                        "org": old.responsible_org.name, "post": old.responsible_post, "day": old.started_on})
        return specs

    def same_project(self, row: Row, project: PPPProject, org: Organization) -> None:
        """A row of a registered project must say what is registered (the import does not change a project)."""
        given = {"项目名称": row.data.get("项目名称", ""), "实施机构统一社会信用代码": org.credit_code,
                 "社会资本方": row.data.get("社会资本方", ""), "社会资本方统一社会信用代码": _code(row, "社会资本方统一社会信用代码"),
                 "总投资（万元）": _dec(_amount(row, "总投资（万元）", zero=True) or Decimal(0))}
        held = {"项目名称": project.name, "实施机构统一社会信用代码": project.org.credit_code, "社会资本方": project.partner_name,
                "社会资本方统一社会信用代码": project.partner_code, "总投资（万元）": _dec(project.investment)}
        for column, value in given.items():
            if value != held[column]:
                raise RowError(column, _("与已登记的项目 %(number)s 不一致（已登记：%(value)s）") % {
                    "number": project.number, "value": held[column] or "—"})

    def check_duties(self, group: Group, project: PPPProject | None, stages: dict[str, StageSpec],
                     errors: dict[int, tuple[str, str]]) -> list[DutySpec]:
        known = set(stages) | ({s.stage for s in project.stages.all()} if project else set())
        specs: list[DutySpec] = []
        seen: dict[tuple[str, str, str], int] = {}
        for row in group.duty_rows:
            try:
                if project is None and not group.stage_rows:
                    raise RowError("项目编号", _("找不到该项目：请先登记，或在“项目阶段”表中列出"))
                stage = _choice(row, "阶段", CHOICES["阶段"][:-1])
                if stage not in known:
                    raise RowError("阶段", _("该项目没有“%(stage)s”阶段") % {"stage": stage})
                spec = DutySpec(row, stage, _choice(row, "义务类别", CHOICES["义务类别"]), _required(row, "义务内容"),
                                _required(row, "依据"), _date(row, "履行期限", required=True) or dt.date.min,
                                _amount(row, "金额（万元）"), _date(row, "履行日期"))
                if spec.done_on is not None and spec.done_on > self.today:
                    raise RowError("履行日期", _("履行日期不能晚于今天"))
                key = (spec.stage, spec.kind, spec.title)
                if key in seen:
                    raise RowError("义务内容", _("与第 %(n)s 行重复") % {"n": seen[key]})
                seen[key] = row.number
                specs.append(spec)
            except RowError as e:
                errors[id(row)] = (e.column, str(e))
        return specs

    def write_project(self, group: Group, project: PPPProject | None, stages: dict[str, StageSpec],
                      duties: list[DutySpec]) -> None:
        ordered = sorted(stages.values(), key=lambda s: STAGE_INDEX[s.stage])
        changed = False
        if project is None:
            first = ordered[0]
            row = first.row
            project = services.create_project(
                number=group.number, name=row.data["项目名称"], org=self.orgs.get(row, "实施机构统一社会信用代码"),
                responsible_post=first.post, responsible_org=first.org, partner_name=row.data.get("社会资本方", ""),
                partner_code=row.data.get("社会资本方统一社会信用代码", ""),
                investment=_amount(row, "总投资（万元）", zero=True) or Decimal(0), started_on=first.started_on,
                actor=self.actor)
            self.report.counts["projects_created"] += 1
            created = True
        else:
            created = False
        registered = STAGE_INDEX[project.stage]
        for step in ordered[registered + 1:]:
            try:
                services.advance_stage(project, responsible_post=step.post, responsible_org=step.org,
                                       started_on=step.started_on, actor=self.actor, reason=_("批量导入"))
            except DomainError as e:
                raise _at(step.row, "开始日期" if e.field == "started_on" else "阶段", str(e)) from None
            self.report.counts["stages_started"] += 1
            changed = True
        by_stage = {s.stage: s for s in project.stages.all()}
        existing = {(d.stage.stage, d.kind, d.title): d for d in project.duties.select_related("stage")}
        for spec in duties:
            duty = existing.get((spec.stage, spec.kind, spec.title))
            if duty is None:
                try:
                    duty = services.add_duty(project, kind=spec.kind, title=spec.title, basis=spec.basis,
                                             due_on=spec.due_on, amount=spec.amount, stage=by_stage[spec.stage],
                                             actor=self.actor)
                except DomainError as e:
                    raise _at(spec.row, "义务内容", str(e)) from None
                self.report.counts["duties_created"] += 1
                changed = True
            elif (duty.basis, duty.due_on, _dec(duty.amount)) != (spec.basis, spec.due_on, _dec(spec.amount)):
                raise _at(spec.row, "依据" if duty.basis != spec.basis else "履行期限" if duty.due_on != spec.due_on
                          else "金额（万元）", _("与已登记的义务不一致（依据：%(basis)s；履行期限：%(due)s；金额：%(amount)s 万元）") % {
                              "basis": duty.basis, "due": duty.due_on, "amount": duty.amount if duty.amount is not None
                              else "—"})
            if spec.done_on is not None:
                if duty.status == DutyStatus.OPEN:
                    services.fulfil_duty(duty, done_on=spec.done_on, actor=self.actor, note=_("批量导入"))
                    self.report.counts["duties_fulfilled"] += 1
                    changed = True
                elif duty.done_on != spec.done_on:
                    raise _at(spec.row, "履行日期", _("该义务已是“%(status)s”（履行日期：%(day)s）") % {
                        "status": duty.get_status_display(), "day": duty.done_on or "—"})
        if not created:
            self.report.counts["projects_updated" if changed else "projects_unchanged"] += 1

    # -- promises --

    def promises(self) -> None:
        sheet = self.parsed.sheets.get(PROMISES)
        if sheet is None:
            return
        seen: dict[str, int] = {}
        visible = visible_promises(self.user)
        for row in sheet.rows:
            try:
                number = _number(row, "承诺编号")
                if number in seen:
                    raise RowError("承诺编号", _("与第 %(n)s 行重复") % {"n": seen[number]})
                seen[number] = row.number
                with self.unit():
                    self.promise(row, number, visible)
            except RowError as e:
                self.report.reject(row, sheet.header, e.column, str(e))
            except (DomainError, ValidationError) as e:
                self.report.reject(row, sheet.header, _column(getattr(e, "field", "")), _message(e))
            except IntegrityError:  # another import took the number meanwhile
                self.report.reject(row, sheet.header, "承诺编号", _("承诺编号已被使用"))
            self.progress(1)

    def promise(self, row: Row, number: str, visible: Any) -> None:
        for column in REQUIRED[PROMISES]:
            _required(row, column)
        org = self.orgs.get(row, "承诺单位统一社会信用代码")
        kind = _choice(row, "承诺类别", CHOICES["承诺类别"])
        promised_on = _date(row, "承诺日期", required=True) or dt.date.min
        due_on = _date(row, "兑现期限", required=True) or dt.date.min
        amount = _amount(row, "金额（万元）")
        given: dict[str, Any] = {"承诺单位统一社会信用代码": org.credit_code, "投资方": row.data["投资方"],
                 "投资方统一社会信用代码": _code(row, "投资方统一社会信用代码"), "投资方联系电话": row.data.get("投资方联系电话", ""),
                 "承诺类别": kind, "承诺内容": row.data["承诺内容"], "法律政策依据": row.data["法律政策依据"],
                 "合同或文件编号": row.data["合同或文件编号"], "金额（万元）": _dec(amount), "承诺日期": promised_on,
                 "兑现期限": due_on, "责任岗位": row.data["责任岗位"]}
        existing = Promise.objects.filter(number=number).select_related("org").first()
        if existing is None:
            data = row.data
            registered = services.make_promise(
                number=number, org=org, investor_name=data["投资方"], investor_code=_code(row, "投资方统一社会信用代码"),
                contact=data.get("投资方联系电话", ""), kind=kind, terms=data["承诺内容"], legal_basis=data["法律政策依据"],
                document=data["合同或文件编号"], amount=amount, promised_on=promised_on, due_on=due_on,
                responsible_post=data["责任岗位"], actor=self.actor)
            if not self.dry_run:
                self.report.codes.append((registered.promise.number, registered.code))
                if self.on_code is not None:  # in the promise's transaction: the code is kept if the promise is
                    self.on_code(registered.promise.number, registered.code)
            self.report.counts["promises_created"] += 1
            return
        if not visible.filter(pk=existing.pk).exists():
            raise RowError("承诺编号", _("承诺编号已被使用"))
        first = existing.changes.order_by("recorded_at", "pk").first()  # the terms as promised, before any change
        held = {"承诺单位统一社会信用代码": existing.org.credit_code, "投资方": existing.investor_name,
                "投资方统一社会信用代码": existing.investor_code, "投资方联系电话": existing.contact,
                "承诺类别": existing.kind, "承诺内容": first.old_terms if first else existing.terms,
                "法律政策依据": existing.legal_basis, "合同或文件编号": existing.document,
                "金额（万元）": _dec(first.old_amount if first else existing.amount), "承诺日期": existing.promised_on,
                "兑现期限": first.old_due_on if first else existing.due_on, "责任岗位": existing.responsible_post}
        for column, value in given.items():
            if value != held[column]:
                raise RowError(column, _("与已登记的承诺 %(number)s 不一致（已登记：%(value)s）；承诺只能依法定程序变更") % {
                    "number": number, "value": "—" if held[column] in (None, "") else held[column]})
        self.report.counts["promises_unchanged"] += 1


def _at(row: Row, column: str, message: str) -> RowError:
    error = RowError(column, message)
    error.field = str(id(row))
    return error


SERVICE_FIELDS = {"number": "承诺编号", "investor_code": "投资方统一社会信用代码", "partner_code": "社会资本方统一社会信用代码",
                  "due_on": "兑现期限", "kind": "承诺类别", "terms": "承诺内容", "legal_basis": "法律政策依据",
                  "document": "合同或文件编号", "responsible_post": "责任岗位", "investor_name": "投资方"}


def _column(service_field: str) -> str:
    return SERVICE_FIELDS.get(service_field, "")


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(str(m) for m in error.messages)
    return str(error)


def import_commitments(path: Path, *, user: Any, actor: Actor | None = None, file_name: str = "",
                       dry_run: bool = False, parsed: Parsed | None = None,
                       progress: Callable[[int], None] | None = None,
                       on_code: Callable[[str, str], None] | None = None,
                       report: ImportReport | None = None) -> ImportReport:
    """Import the file's projects (with stages and duties) and promises; returns counts, the rows' errors, the
    new promises' query codes, and the run as recorded (with its ledger entry). ``parsed`` is the file as
    :func:`read_file` read it (the command reads first, to size its progress bar); ``on_code(number, code)`` is
    called for each new promise in its transaction; ``report``, if given, is filled as the import goes on.

    Each project and each promise is its own transaction (:meth:`Importer.unit`): if the run stops on an
    unexpected error, what it committed stays, the run is recorded with what it did (``report.failed``) and
    the error is raised again; importing the same file again then goes on where it stopped."""
    if not access.has(user, access.MANAGE_COMMITMENTS):
        raise PermissionDenied(_("您的角色无权导入PPP项目和招商引资承诺"))
    parsed = parsed or read_file(path, file_name)
    report = report if report is not None else ImportReport()
    for sheet, row, column, message in parsed.errors:
        report.errors.append((sheet, row, column, message))
    actor = actor or user
    runner = Importer(parsed, user, actor, report, progress, dry_run=dry_run, on_code=on_code)
    try:
        for group in runner.groups():
            runner.project_group(group)
        runner.promises()
    except Exception:
        report.failed = True
        try:
            report.run = _record(path, file_name or path.name, user, actor, report, dry_run)
        except Exception:  # noqa: BLE001 - the first error is the one to report
            logger.exception("导入记录未能保存：%s", file_name or path.name)
        raise
    report.run = _record(path, file_name or path.name, user, actor, report, dry_run)
    return report


def _record(path: Path, file_name: str, user: Any, actor: Actor, report: ImportReport, dry_run: bool) -> CommitmentImport:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1024**2):
            digest.update(block)
    run = CommitmentImport(user=user if getattr(user, "pk", None) else None, file_name=file_name[:200],
                           sha256=digest.hexdigest(), dry_run=dry_run, counts=report.counts,
                           n_rejected=len(report.errors), rejected=report.rejected, ran_at=clock.now())
    created = sum(report.counts[k] for k in ("projects_created", "promises_created", "duties_created"))
    save_with_entry(run, actor=actor, action="commitments.import.run",
                    reason=(_("仅检查") if dry_run else _("新建 %(n)s 项") % {"n": created})
                    + _("，拒绝 %(n)s 行") % {"n": len(report.errors)} + (_("；导入中断") if report.failed else ""))
    return run


# --- the template and the error report -------------------------------------------------------------------

def write_template(target: str | IO[bytes]) -> None:
    """The blank workbook: one sheet per table (required columns marked ``*``, drop-downs for the choices, text
    cells for codes and numbers) and a sheet that explains every column."""
    book = spreadsheet.workbook(target)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    must = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_color": "#C00000"})
    text = book.add_format({"num_format": "@"})
    notes = []
    for table in (PROJECTS, DUTIES, PROMISES):
        sheet = book.add_worksheet(table)
        for col, name in enumerate(COLUMNS[table]):
            required = name in REQUIRED[table]
            spreadsheet.write_cell(sheet, 0, col, ("*" if required else "") + name, must if required else head)
            sheet.set_column(col, col, max(12, len(name) * 2 + 2), text)
            if name in CHOICES:
                choices = CHOICES[name] if table == PROJECTS or name != "阶段" else CHOICES[name][:-1]
                sheet.data_validation(1, col, 5000, col, {"validate": "list", "source": choices})
            if name in HINTS and name not in CHOICES:
                sheet.data_validation(1, col, 5000, col, {"validate": "any", "input_message": HINTS[name][:255]})
            notes.append((table, name, _("必填") if required else _("选填"), HINTS.get(name, "")))
        sheet.freeze_panes(1, 0)
    sheet = book.add_worksheet("填写说明")
    for col, title in enumerate(["工作表", "列", "必填", "说明"]):
        spreadsheet.write_cell(sheet, 0, col, title, head)
    for i, values in enumerate(notes, start=1):
        for col, value in enumerate(values):
            spreadsheet.write_cell(sheet, i, col, value)
    rules = [
        "每个工作表均可单独导入，也可另存为 CSV 后导入（按表头识别）。",
        "“项目阶段”表每行一个阶段，同一项目的各行项目信息须一致；新项目须从“识别”阶段开始。",
        "重新导入同一文件不会重复登记；文件中列出新的阶段或义务时，项目相应推进或增加义务。",
        "已登记的项目和承诺不能通过导入修改：承诺只能依法定程序在承诺页面变更。",
        "有错误的行不导入，可下载错误报告，改正后直接重新导入。",
    ]
    for i, line in enumerate(rules, start=len(notes) + 2):
        spreadsheet.write_cell(sheet, i, 0, line)
    sheet.set_column(0, 1, 22)
    sheet.set_column(3, 3, 80)
    book.close()


def write_report(rejected: dict[str, dict[str, Any]], target: str | IO[bytes],
                 codes: list[tuple[str, str]] | None = None) -> None:
    """The rejected rows as they were sent, one sheet per table, with the column and the reason at the right
    end: fixed, the file uploads as it is (the two extra columns are not read). ``codes`` (the command's own
    report, written once) adds the new promises' query codes."""
    book = spreadsheet.workbook(target)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for table in (PROJECTS, DUTIES, PROMISES):
        if table not in rejected:
            continue
        sheet = book.add_worksheet(table)
        header = list(rejected[table]["header"])
        for col, name in enumerate([*header, "错误列", "错误原因", "原行号"]):
            spreadsheet.write_cell(sheet, 0, col, name, head)
        for i, (number, values, column, message) in enumerate(rejected[table]["rows"], start=1):
            for col, value in enumerate([*values, column, message, number]):
                spreadsheet.write_cell(sheet, i, col, value)
        sheet.freeze_panes(1, 0)
    if codes:
        sheet = book.add_worksheet("查询码")
        for col, name in enumerate(["承诺编号", "查询码"]):
            spreadsheet.write_cell(sheet, 0, col, name, head)
        for i, (number, code) in enumerate(codes, start=1):
            spreadsheet.write_cell(sheet, i, 0, number)
            spreadsheet.write_cell(sheet, i, 1, code)
    if not rejected and not codes:
        sheet = book.add_worksheet("结果")
        spreadsheet.write_cell(sheet, 0, 0, "没有被拒绝的行")
    book.close()
