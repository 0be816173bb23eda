"""任前审查: a list of candidates in, a report per matched candidate out (a zip of PDFs and a summary
workbook flagging those with dishonesty records). Rows that match no subject, or whose name and number
disagree, or that give only a person's name, are listed with the reason, never guessed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.core import clock
from govcredit.core.crypto import blind_index
from govcredit.core.spreadsheet import workbook, write_cell
from govcredit.subjects.identifiers import (
    IdentifierError,
    is_valid_credit_code,
    mask_id_number,
    mask_name,
    parse_id_number,
)
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

from .models import Purpose, ReviewBatch, ReviewStatus
from .sections import holders_known
from .services import Subject, issue_report, reports_dir
from .tables import Table, read_table

HEADERS = {
    "name": ("姓名", "候选人姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "org_name": ("单位名称", "单位", "机构名称"),
    "credit_code": ("统一社会信用代码", "信用代码"),
}


@dataclass(frozen=True)
class Match:
    subject: Subject | None
    shown: str  # how the row is named in the summary (ID numbers masked)
    problem: str = ""


@dataclass(frozen=True)
class Candidates:
    """The subjects in ``user``'s scope that the rows of a list can name, read in four queries for the whole
    list (by ID number, by credit code, by organisation name, and the count of people per bare name), so
    matching 500 rows does not cost a query or two per row."""

    people: dict[str, CivilServant]  # by the ID number's blind index
    orgs_by_code: dict[str, Organization]
    orgs_by_name: dict[str, list[Organization]]  # at most two per name: enough to tell one from several
    same_name: dict[str, int]

    @classmethod
    def read(cls, user: User, table: Table, rows: list[list[str]]) -> Candidates:
        indexes, codes, org_names, names = set(), set(), set(), set()
        for cells in rows:
            name, number = table.cell(cells, "name"), table.cell(cells, "id_number")
            org_name, code = table.cell(cells, "org_name"), table.cell(cells, "credit_code")
            if number:
                indexes.add(blind_index(number.upper()))
            elif code:
                codes.add(code.upper())
            elif org_name and not name:
                org_names.add(org_name)
            elif name:
                names.add(name)
        people = ({p.id_index: p for p in visible_people(user).filter(id_index__in=indexes).select_related("employer")}
                  if indexes else {})
        orgs = visible_orgs(user).select_related("parent")
        by_code = {o.credit_code: o for o in orgs.filter(credit_code__in=codes)} if codes else {}
        by_name: dict[str, list[Organization]] = {}
        for o in (orgs.filter(name__in=org_names).order_by("name", "pk") if org_names else []):
            if len(by_name.setdefault(o.name, [])) < 2:
                by_name[o.name].append(o)
        same = ({row["name"]: row["n"] for row in visible_people(user).filter(name__in=names).order_by()
                 .values("name").annotate(n=Count("pk"))} if names else {})
        return cls(people, by_code, by_name, same)


def _match_person(found: Candidates, name: str, number: str) -> Match:
    shown = f"{name}（{mask_id_number(number) if len(number) == 18 else '—'}）"
    try:
        parse_id_number(number.upper())
    except IdentifierError as e:
        return Match(None, shown, _("身份证号无效：%(e)s") % {"e": e.message})
    person = found.people.get(blind_index(number.upper()))
    if person is None:  # not registered, or outside the caller's scope: the same answer
        return Match(None, shown, _("档案中没有该身份证号的公务员"))
    if name and name != person.name:
        return Match(None, shown, _("姓名与身份证号不符（档案中为 %(n)s）") % {"n": mask_name(person.name)})
    return Match(person, f"{person.name}（{person.id_masked}）")


def _match_org(found: Candidates, name: str, code: str) -> Match:
    if code:
        if not is_valid_credit_code(code.upper()):
            return Match(None, f"{name}（{code}）", _("统一社会信用代码无效"))
        org = found.orgs_by_code.get(code.upper())
        if org is None:
            return Match(None, f"{name}（{code}）", _("档案中没有该统一社会信用代码的单位"))
        if name and name != org.name:
            return Match(None, f"{name}（{code}）", _("单位名称与统一社会信用代码不符（档案中为 %(n)s）") % {"n": org.name})
        return Match(org, f"{org.name}（{org.credit_code}）")
    same = found.orgs_by_name.get(name, [])
    if len(same) != 1:
        problem = _("档案中没有该名称的单位") if not same else _("档案中有多个同名单位：请补充统一社会信用代码")
        return Match(None, name, problem)
    return Match(same[0], f"{same[0].name}（{same[0].credit_code}）")


def match(user: User, table: Table, cells: list[str], found: Candidates | None = None) -> Match:
    """Who the row names, if exactly one subject in ``user``'s scope (``found``: the list's subjects read
    at once by :meth:`Candidates.read`; without it, this row's are read)."""
    found = found if found is not None else Candidates.read(user, table, [cells])
    name, number = table.cell(cells, "name"), table.cell(cells, "id_number")
    org_name, code = table.cell(cells, "org_name"), table.cell(cells, "credit_code")
    if number:
        return _match_person(found, name, number)
    if code or (org_name and not name):
        return _match_org(found, org_name, code)
    if name:
        return Match(None, name, _("只有姓名无法确定是谁（档案中同名 %(n)d 人）：请补充身份证号")
                     % {"n": found.same_name.get(name, 0)})
    return Match(None, "—", _("该行没有姓名、身份证号、单位名称或统一社会信用代码"))


def match_all(user: User, table: Table, rows: list[list[str]]) -> list[Match]:
    """:func:`match` for every row, the subjects of all rows read at once."""
    found = Candidates.read(user, table, rows)
    return [match(user, table, cells, found) for cells in rows]


def submit(user: User, data: bytes, file_name: str, *, purpose: str, purpose_text: str, case_reference: str,
           verify_url: str) -> ReviewBatch:
    """Check the file and the purpose now (a bad file is refused whole), then queue the batch."""
    access.require(user, access.ISSUE_REPORTS)
    table = read_table(data, file_name, HEADERS, required=set())
    if not ({"id_number", "credit_code", "org_name"} & set(table.columns)):
        raise ValidationError(_("需要“身份证号”或“统一社会信用代码”/“单位名称”列"))
    if purpose not in Purpose.values or not case_reference.strip() or (purpose == Purpose.OTHER
                                                                       and not purpose_text.strip()):
        raise ValidationError(_("请选择查询目的并填写事由编号（“其他”须写明目的）"))
    batch = ReviewBatch.objects.create(
        user=user, purpose=purpose, purpose_text=purpose_text.strip(), case_reference=case_reference.strip(),
        file_name=file_name[:200], verify_url=verify_url, total=len(table.rows), created_at=clock.now(),
        rows=[{"row": n, "cells": [table.cell(cells, key) for key in HEADERS]} for n, cells in table.rows])
    return batch


def enqueue(batch: ReviewBatch) -> None:
    from django_q.tasks import async_task

    async_task("govcredit.reports.review.run", batch.pk, task_name=f"任前审查 #{batch.pk}", group="reports")


GROUP = 25  # candidates whose report sections are looked up together (a few seconds of reports)


def _ids(subjects: list[Subject | None]) -> dict[str, list[int]]:
    return {"subject_person": [s.pk for s in subjects if isinstance(s, CivilServant)],
            "subject_org": [s.pk for s in subjects if isinstance(s, Organization)]}


def run(batch_id: int) -> str:
    """The task: one report per matched row, progress saved as it goes, then the zip and the summary."""
    batch = ReviewBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status != ReviewStatus.QUEUED:
        return batch.status
    ReviewBatch.objects.filter(pk=batch.pk).update(status=ReviewStatus.RUNNING)
    table = Table({key: i for i, key in enumerate(HEADERS)}, [])  # rows are stored in HEADERS order
    out_dir = reports_dir() / "reviews"
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / f"review-{batch.pk}.zip"
    results: list[dict[str, Any]] = []
    flagged = unmatched = 0
    try:
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as archive:
            matches = match_all(batch.user, table, [item["cells"] for item in batch.rows])
            for start in range(0, len(batch.rows), GROUP):
                group = list(zip(batch.rows[start:start + GROUP], matches[start:start + GROUP], strict=True))
                with holders_known(_ids([found.subject for _item, found in group])):
                    for n, (item, found) in enumerate(group, start + 1):
                        result: dict[str, Any] = {"row": item["row"], "subject": found.shown, "problem": found.problem}
                        if found.subject is None:
                            unmatched += 1
                        else:
                            report, code = issue_report(batch.user, found.subject, purpose=batch.purpose,
                                                        purpose_text=batch.purpose_text,
                                                        case_reference=batch.case_reference,
                                                        verify_url=batch.verify_url)
                            count = int(report.content["negative_count"])
                            flagged += count > 0
                            archive.write(report.pdf_path, f"{item['row']:05d}_{report.number}.pdf")
                            result.update(number=report.number, code=code, negative=count,
                                          conclusion=report.content["conclusion"])
                        results.append(result)
                        if n % 5 == 0 or n == len(batch.rows):
                            ReviewBatch.objects.filter(pk=batch.pk).update(done=n)
        summary_path = out_dir / f"review-{batch.pk}.xlsx"
        summary_path.write_bytes(summary(results))
    except Exception as e:
        ReviewBatch.objects.filter(pk=batch.pk).update(status=ReviewStatus.FAILED, message=str(e)[:500],
                                                       finished_at=clock.now())
        raise
    ReviewBatch.objects.filter(pk=batch.pk).update(
        status=ReviewStatus.DONE, rows=results, flagged=flagged, unmatched=unmatched, zip_path=str(zip_path),
        summary_path=str(summary_path), finished_at=clock.now(),
        message=_("共 %(t)d 行：出具报告 %(r)d 份，其中有失信记录 %(f)d 人；未能匹配 %(u)d 行。")
        % {"t": len(results), "r": len(results) - unmatched, "f": flagged, "u": unmatched})
    return ReviewStatus.DONE


def summary(results: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    sheet = book.add_worksheet(_("任前审查汇总"))
    bold = book.add_format({"bold": True})
    red = book.add_format({"font_color": "#b00020", "bold": True})
    header = [_("原文件行号"), _("对象"), _("报告编号"), _("核验码"), _("失信记录条数"), _("结论"), _("未能匹配的原因")]
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    for n, r in enumerate(results, 1):
        values = [r["row"], r["subject"], r.get("number", ""), r.get("code", ""), r.get("negative", ""),
                  r.get("conclusion", ""), r["problem"]]
        for col, value in enumerate(values):
            write_cell(sheet, n, col, value, red if r.get("negative") else None)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 6, 22)
    book.close()
    return out.getvalue()


def status_of(batch: ReviewBatch) -> dict[str, Any]:
    finished = batch.status in (ReviewStatus.DONE, ReviewStatus.FAILED)
    return {"id": batch.pk, "status": batch.status, "finished": finished, "done": batch.done, "total": batch.total,
            "percent": round(100 * batch.done / batch.total) if batch.total else 100, "message": batch.message,
            "finished_at": timezone.localtime(batch.finished_at).isoformat() if batch.finished_at else None}
