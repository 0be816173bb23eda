"""The credit commitment (信用承诺书) as a PDF: generated for the subject to sign (and seal) and upload back with
its repair application (《信用修复管理办法》: repair requires a public credit commitment).

It names the subject (a civil servant's ID number masked as everywhere outside the credit office), the
record it commits about, the commitments, a signature and seal area and the date, under a number made of
the day and the record (the same record on the same day gets the same number). Laid out by Typst
(``typst/commitment.typ``) through ``core.typesetting``, like the credit report; worded in the reader's
language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from govcredit.archive.models import CreditRecord
from govcredit.catalog.i18n import term, type_name
from govcredit.core.typesetting import compile_pdf

from . import rules

TEMPLATE = Path(__file__).with_name("typst") / "commitment.typ"


def number(record: CreditRecord, day: dt.date) -> str:
    """The commitment's number: 信用承诺 (XYCN), the day, the record."""
    return f"XYCN{day:%Y%m%d}{record.pk:08d}"


def filename(record: CreditRecord, day: dt.date) -> str:
    return f"{_('信用承诺书')}-{number(record, day)}.pdf"


def _subject(record: CreditRecord) -> list[list[str]]:
    if record.subject_person is not None:
        person = record.subject_person
        return [[_("承诺人"), person.name], [_("身份证号"), person.id_masked],
                [_("工作单位"), person.employer.name if person.employer_id else ""]]
    org = record.subject_org
    return [[_("承诺人"), org.name if org else record.subject_label],
            [_("统一社会信用代码"), org.credit_code if org else ""]]


def content(record: CreditRecord, day: dt.date) -> dict[str, Any]:
    """What the PDF shows, worded in the active language."""
    kind = type_name(record.record_type.code, record.record_type.name)
    decided = date_format(record.decision_date, "Y-m-d")
    preamble = _("就%(authority)s于 %(day)s 作出的%(type)s（%(number)s），本承诺人依据%(law)s申请信用修复，郑重承诺：") % {
        "authority": record.authority_name, "day": decided, "type": kind, "number": record.decision_number,
        "law": rules.REPAIR_LAW}
    return {
        "lang": (translation.get_language() or settings.LANGUAGE_CODE)[:2],
        "title": _("信用承诺书"),
        "number": number(record, day),
        "subject": _subject(record),
        "record": [[_("信用信息类别"), kind], [_("决定文号"), record.decision_number],
                   [_("决定机关"), record.authority_name], [_("决定日期"), decided],
                   [_("严重程度"), term(record.severity)]],
        "preamble": preamble,
        "commitments": [
            _("所提交的申请材料真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏；"),
            _("已纠正相关失信行为，已履行相关法定义务，相关不良影响已消除；"),
            _("今后严格遵守法律、法规和有关规定，诚实守信，不再发生同类失信行为；"),
            _("同意将本承诺向社会公开，接受社会监督；如违反承诺，愿意承担相应的法律责任，并同意将违反承诺的情况记入信用记录。"),
        ],
        "note": _("本承诺书与信用修复申请一并提交，作为准予修复的条件之一。"),
        "labels": {
            "number": _("承诺书编号"),
            "page_of": _("第 {page} 页 共 {pages} 页"),
            "signer": _("承诺人（签字或盖章）："),
            "representative": _("法定代表人或负责人（签字）："),
            "date_line": _("日期：%(day)s") % {"day": _("____年____月____日")},
            "seal": _("单位盖章"),
            "upload_hint": _("签字盖章后扫描或拍照，在信用修复申请页面上传（PDF、JPEG 或 PNG）。生成日期：%(day)s") % {
                "day": date_format(day, "Y-m-d")},
        },
    }


def render(record: CreditRecord, day: dt.date) -> bytes:
    """The PDF of the commitment about ``record``, generated on ``day``."""
    return compile_pdf(TEMPLATE, content(record, day))
