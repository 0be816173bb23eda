"""任前审查: a list of candidates in, a report per matched candidate out (a zip of PDFs and a summary
workbook flagging those with dishonesty records). Rows that match no subject, or whose name and number
disagree, or that give only a person's name, are listed with the reason, never guessed."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.core import clock
from govcredit.core.spreadsheet import workbook, write_cell
from govcredit.subjects.identifiers import (
    IdentifierError,
    is_valid_credit_code,
    mask_id_number,
    mask_name,
    parse_id_number,
)
from govcredit.subjects.models import Organization
from govcredit.subjects.selectors import visible_orgs, visible_people
from govcredit.subjects.services import find_person_by_id_number

from .models import Purpose, ReviewBatch, ReviewStatus
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


def _match_person(user: User, name: str, number: str) -> Match:
    shown = f"{name}（{mask_id_number(number) if len(number) == 18 else '—'}）"
    try:
        parse_id_number(number.upper())
    except IdentifierError as e:
        return Match(None, shown, _("身份证号无效：%(e)s") % {"e": e.message})
    person = find_person_by_id_number(number.upper())
    if person is None or not visible_people(user).filter(pk=person.pk).exists():
        return Match(None, shown, _("档案中没有该身份证号的公务员"))
    if name and name != person.name:
        return Match(None, shown, _("姓名与身份证号不符（档案中为 %(n)s）") % {"n": mask_name(person.name)})
    return Match(person, f"{person.name}（{person.id_masked}）")


def _match_org(user: User, name: str, code: str) -> Match:
    orgs = visible_orgs(user)
    if code:
        if not is_valid_credit_code(code.upper()):
            return Match(None, f"{name}（{code}）", _("统一社会信用代码无效"))
        found: Organization | None = orgs.filter(credit_code=code.upper()).first()
        if found is None:
            return Match(None, f"{name}（{code}）", _("档案中没有该统一社会信用代码的单位"))
        if name and name != found.name:
            return Match(None, f"{name}（{code}）", _("单位名称与统一社会信用代码不符（档案中为 %(n)s）") % {"n": found.name})
        return Match(found, f"{found.name}（{found.credit_code}）")
    same = list(orgs.filter(name=name)[:2])
    if len(same) != 1:
        problem = _("档案中没有该名称的单位") if not same else _("档案中有多个同名单位：请补充统一社会信用代码")
        return Match(None, name, problem)
    return Match(same[0], f"{same[0].name}（{same[0].credit_code}）")


def match(user: User, table: Table, cells: list[str]) -> Match:
    name, number = table.cell(cells, "name"), table.cell(cells, "id_number")
    org_name, code = table.cell(cells, "org_name"), table.cell(cells, "credit_code")
    if number:
        return _match_person(user, name, number)
    if code or (org_name and not name):
        return _match_org(user, org_name, code)
    if name:
        same = visible_people(user).filter(name=name).count()
        return Match(None, name, _("只有姓名无法确定是谁（档案中同名 %(n)d 人）：请补充身份证号") % {"n": same})
    return Match(None, "—", _("该行没有姓名、身份证号、单位名称或统一社会信用代码"))


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
            for n, item in enumerate(batch.rows, 1):
                found = match(batch.user, table, item["cells"])
                result: dict[str, Any] = {"row": item["row"], "subject": found.shown, "problem": found.problem}
                if found.subject is None:
                    unmatched += 1
                else:
                    report, code = issue_report(batch.user, found.subject, purpose=batch.purpose,
                                                purpose_text=batch.purpose_text,
                                                case_reference=batch.case_reference, verify_url=batch.verify_url)
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
