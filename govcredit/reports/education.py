"""诚信教育 (T): completion of the yearly integrity-education target per department.

Training and study records are the catalog type 诚信教育培训 (``cxjy``: course, hours, date, result),
entered on the record form or imported through intake like any other record; honours (诚信模范) are
表彰奖励 records. A civil servant has completed a year when the hours of the courses passed that year
reach the year's :class:`~.models.EducationTarget` (12 学时 unless the credit office sets another).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.archive.models import CreditRecord
from govcredit.core.spreadsheet import workbook, write_cell
from govcredit.ledger.services import save_with_entry
from govcredit.subjects.models import CivilServant, Organization, ServantStatus
from govcredit.subjects.selectors import visible_orgs

from .models import EducationTarget

TYPE_CODE = "cxjy"
DEFAULT_HOURS = 12
PASSED = "合格"


def target_hours(year: int) -> int:
    target = EducationTarget.objects.filter(year=year).first()
    return target.hours if target else DEFAULT_HOURS


def set_target(user: Any, year: int, hours: int, reason: str) -> EducationTarget:
    access.require(user, access.AUDIT_QUERIES)  # the credit office
    if not 1900 <= year <= 2999 or not 1 <= hours <= 500 or not reason.strip():
        raise ValidationError(_("请填写年度、1–500 之间的学时和依据"))
    target = EducationTarget.objects.filter(year=year).first() or EducationTarget(year=year)
    target.hours, target.set_by, target.reason = hours, user.get_username(), reason.strip()[:200]
    save_with_entry(target, actor=user.get_username(), action="education.target", reason=target.reason)
    return target


@dataclass(frozen=True)
class Completion:
    org: Organization
    staff: int
    completed: int
    hours: float  # average hours passed per staff member

    @property
    def rate(self) -> float:
        return self.completed / self.staff if self.staff else 0.0


def completion(user: Any, year: int) -> list[Completion]:
    """Per organisation in the user's scope with active staff: how many reached the year's target."""
    orgs = {o.pk: o for o in visible_orgs(user).order_by("path")}
    staff = dict(CivilServant.objects.filter(employer_id__in=orgs, status=ServantStatus.ACTIVE)
                 .values_list("employer_id").annotate(n=Count("pk")).values_list("employer_id", "n"))
    hours_by_person: dict[int, float] = defaultdict(float)
    employer_of: dict[int, int] = {}
    trainings = (CreditRecord.objects.filter(record_type__code=TYPE_CODE, decision_date__year=year,
                                             subject_person__employer_id__in=orgs,
                                             subject_person__status=ServantStatus.ACTIVE)
                 .exclude(status="已撤销").values_list("subject_person_id", "subject_person__employer_id", "data"))
    for person, employer, data in trainings.iterator(chunk_size=5000):
        if (data or {}).get("passed") == PASSED:
            hours_by_person[person] += float((data or {}).get("hours") or 0)
            employer_of[person] = employer
    target = target_hours(year)
    completed: dict[int, int] = defaultdict(int)
    hours: dict[int, float] = defaultdict(float)
    for person, total in hours_by_person.items():
        hours[employer_of[person]] += total
        completed[employer_of[person]] += total >= target
    return [Completion(orgs[pk], n, completed[pk], hours[pk] / n) for pk, n in staff.items() if pk in orgs]


def completion_xlsx(rows: list[Completion], year: int) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    sheet = book.add_worksheet(_("诚信教育完成情况"))
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.0%"})
    sheet.write_string(0, 0, _("%(y)d 年度目标 %(h)d 学时") % {"y": year, "h": target_hours(year)}, bold)
    header = [_("单位"), _("统一社会信用代码"), _("在职人数"), _("已完成人数"), _("完成率"), _("人均学时")]
    for col, title in enumerate(header):
        sheet.write_string(1, col, title, bold)
    for n, r in enumerate(rows, 2):
        for col, value in enumerate([r.org.name, r.org.credit_code, r.staff, r.completed]):
            write_cell(sheet, n, col, value)
        sheet.write_number(n, 4, r.rate, percent)
        sheet.write_number(n, 5, round(r.hours, 1))
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 5, 14)
    book.close()
    return out.getvalue()
