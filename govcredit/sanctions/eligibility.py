"""Eligibility checks (参与资格核查): may subject X take part in Y on day D?

The answer is *no* when a punishment restricting Y was in force on D (started on or before D, neither
ended nor due to end by D, and not suspended by an objection); rewards favouring Y are listed beside
it. Every check is logged with who asked and why. A batch check reads an XLSX list of subjects and
answers per row; a row that matches no subject, or several, is reported as such — never guessed.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.core import clock, crypto
from govcredit.core.spreadsheet import workbook, write_cell
from govcredit.subjects.identifiers import (
    is_valid_credit_code,
    is_valid_id_number,
    mask_id_number,
    normalize_credit_code,
    normalize_id_number,
)
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

from .models import AppliedMeasure, EligibilityCheck, MeasureStatus, Polarity, Purpose

MAX_BATCH_ROWS = 2000
MAX_BATCH_BYTES = 5 * 1024 * 1024
BATCH_COLUMNS = ("名称", "统一社会信用代码", "身份证号")


@dataclass
class Answer:
    eligible: bool
    subject: str
    participation: str
    on_date: dt.date
    blocking: list[AppliedMeasure] = field(default_factory=list)
    favouring: list[AppliedMeasure] = field(default_factory=list)
    suspended: list[AppliedMeasure] = field(default_factory=list)

    def basis(self) -> list[dict[str, Any]]:
        return [{"measure_id": m.pk, "measure": m.name, "polarity": m.polarity, "status": m.status,
                 "start_on": m.start_on.isoformat(), "end_on": m.end_on.isoformat(), "record_id": m.record_id,
                 "record": f"{m.record.record_type.name} {m.record.decision_number}"}
                for m in [*self.blocking, *self.favouring, *self.suspended]]


def _in_force_on(day: dt.date) -> Q:
    return Q(start_on__lte=day, end_on__gt=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def answer(subject: Organization | CivilServant, participation: str, on_date: dt.date) -> Answer:
    """The answer without logging it (for :func:`check` and the batch)."""
    if participation not in Purpose.values:
        raise ValidationError({"participation": _("参与事项须为：%(values)s") % {
            "values": _("、").join(str(p.label) for p in Purpose)}})
    lookup: dict[str, Organization | CivilServant] = (
        {"subject_person": subject} if isinstance(subject, CivilServant) else {"subject_org": subject})
    measures = list(AppliedMeasure.objects.filter(_in_force_on(on_date), **lookup)
                    .select_related("measure_version__measure_type", "record__record_type").order_by("start_on", "pk"))
    blocking = [m for m in measures if m.polarity == Polarity.PUNISHMENT and participation in m.measure_version.restricts]
    result = Answer(eligible=True, subject=subject.name, participation=participation, on_date=on_date)
    result.blocking = [m for m in blocking if m.status != MeasureStatus.SUSPENDED]
    result.suspended = [m for m in blocking if m.status == MeasureStatus.SUSPENDED]
    result.favouring = [m for m in measures if m.polarity == Polarity.REWARD and participation in m.measure_version.favours]
    result.eligible = not result.blocking
    return result


def _require(user: Any, subject: Organization | CivilServant) -> None:
    if not access.can_check_eligibility(user):
        raise PermissionDenied(_("您的角色无权进行参与资格核查"))
    visible = visible_people(user) if isinstance(subject, CivilServant) else visible_orgs(user)
    if not visible.filter(pk=subject.pk).exists():
        raise PermissionDenied(_("该主体不在您的查询范围内"))


def check(user: Any, subject: Organization | CivilServant, participation: str, on_date: dt.date, purpose: str) -> Answer:
    """Answer and log one check (with its purpose)."""
    _require(user, subject)
    if not purpose.strip():
        raise ValidationError({"purpose": _("请填写查询事由")})
    result = answer(subject, participation, on_date)
    EligibilityCheck.objects.create(
        user=user, subject_org=subject if isinstance(subject, Organization) else None,
        subject_person=subject if isinstance(subject, CivilServant) else None, participation=participation,
        on_date=on_date, purpose=purpose.strip()[:200], eligible=result.eligible, basis=result.basis(),
        created_at=clock.now())
    return result


# --- batch ------------------------------------------------------------------------------------------

@dataclass
class BatchRow:
    row: int
    name: str
    credit_code: str
    id_number_masked: str
    matched: str  # 已匹配 / 未匹配 / 匹配多个
    answer: Answer | None = None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_batch(data: bytes) -> list[tuple[int, str, str, str]]:
    """(row number, name, credit code, ID number) of each non-empty row of the first sheet."""
    from python_calamine import CalamineWorkbook

    if len(data) > MAX_BATCH_BYTES:
        raise ValidationError({"file": _("文件超过 %(n)s MB 上限") % {"n": MAX_BATCH_BYTES // (1024 * 1024)}})
    if not data.startswith(b"PK"):
        raise ValidationError({"file": _("请上传 XLSX 文件")})
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = [[_text(c) for c in row] for row in sheet.iter_rows()]
    except Exception:  # noqa: BLE001 - any reader failure is the same answer to the clerk
        raise ValidationError({"file": _("无法读取该 XLSX 文件")}) from None
    if not rows:
        raise ValidationError({"file": _("工作表为空")})
    header = rows[0]
    missing = [c for c in BATCH_COLUMNS if c not in header]
    if len(missing) == len(BATCH_COLUMNS):
        raise ValidationError({"file": _("表头须包含：%(columns)s（至少一列）") % {"columns": "、".join(BATCH_COLUMNS)}})
    index = {c: header.index(c) for c in BATCH_COLUMNS if c in header}
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = [row[index[c]] if c in index and index[c] < len(row) else "" for c in BATCH_COLUMNS]
        if any(values):
            out.append((number, *values))
    if len(out) > MAX_BATCH_ROWS:
        raise ValidationError({"file": _("每次最多核查 %(n)s 行") % {"n": MAX_BATCH_ROWS}})
    return out  # type: ignore[return-value]


def _match(user: Any, name: str, code: str, id_number: str) -> list[Organization | CivilServant]:
    if id_number:
        if not is_valid_id_number(id_number):
            return []
        return list(visible_people(user).filter(id_index=crypto.blind_index(id_number))[:2])
    if code:
        if not is_valid_credit_code(code):
            return []
        return list(visible_orgs(user).filter(credit_code=code)[:2])
    found: list[Organization | CivilServant] = [*visible_orgs(user).filter(name=name)[:2],
                                                *visible_people(user).filter(name=name)[:2]]
    return found


def find_subjects(user: Any, text: str) -> list[Organization | CivilServant]:
    """The subjects in the user's scope a typed credit code, ID number or exact name stands for."""
    value = text.strip()
    normal = normalize_id_number(value)
    if is_valid_id_number(normal):
        return _match(user, "", "", normal)
    if is_valid_credit_code(normalize_credit_code(value)):
        return _match(user, "", normalize_credit_code(value), "")
    return _match(user, value, "", "")


def check_batch(user: Any, data: bytes, participation: str, on_date: dt.date, purpose: str) -> list[BatchRow]:
    """Answer every row of an XLSX list; each answered row is logged like a single check."""
    if not access.can_check_eligibility(user):
        raise PermissionDenied(_("您的角色无权进行参与资格核查"))
    if not purpose.strip():
        raise ValidationError({"purpose": _("请填写查询事由")})
    if participation not in Purpose.values:
        raise ValidationError({"participation": _("参与事项须为：%(values)s") % {
            "values": _("、").join(str(p.label) for p in Purpose)}})
    out = []
    for number, name, code, id_number in read_batch(data):
        id_number, code = normalize_id_number(id_number), normalize_credit_code(code)
        masked = mask_id_number(id_number) if id_number else ""
        found = _match(user, name, code, id_number)
        if len(found) != 1:
            out.append(BatchRow(number, name, code, masked, "未匹配" if not found else "匹配多个"))
            continue
        out.append(BatchRow(number, name, code, masked, "已匹配",
                            check(user, found[0], participation, on_date, f"批量核查：{purpose}")))
    return out


def batch_xlsx(rows: list[BatchRow]) -> bytes:
    buffer = io.BytesIO()
    book = workbook(buffer, in_memory=True)
    sheet = book.add_worksheet("核查结果")
    head = ["行号", "名称", "统一社会信用代码", "身份证号", "匹配", "核查对象", "事项", "日期", "结论", "依据"]
    for col, title in enumerate(head):
        write_cell(sheet, 0, col, title)
    for i, r in enumerate(rows, start=1):
        a = r.answer
        verdict = "" if a is None else ("可以参与" if a.eligible else "不得参与")
        basis = "" if a is None else "；".join(
            f"{m.name}（{m.start_on}至{m.end_on}，{m.record.record_type.name} {m.record.decision_number}）"
            for m in [*a.blocking, *a.favouring])
        values = [r.row, r.name, r.credit_code, r.id_number_masked,
                  r.matched if r.matched != "已匹配" else "唯一匹配", a.subject if a else "",
                  a.participation if a else "", a.on_date if a else "", verdict or "未核查（请核实后逐一查询）", basis]
        for col, value in enumerate(values):
            write_cell(sheet, i, col, value)
    book.close()
    return buffer.getvalue()
