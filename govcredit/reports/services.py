"""Purpose-logged archive queries, full-ID reveals, and credit reports with their verification.

Every look at a subject's archive by the personnel office or the credit office is an
:class:`~.models.ArchiveQuery` (who, whom, purpose, case, when), written through the ledger. A full ID
number is shown only by :func:`reveal_id_number`, which logs its own query. A report keeps its content as
issued, the digest of that content, the digest of the subject's archive at that moment and the SHA-256 of
its PDF: :func:`verify` and :func:`verify_pdf` compare against those, so a forged number, a wrong code,
an edited PDF and a changed archive are each told apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.core import clock, crypto
from govcredit.ledger.services import save_with_entry
from govcredit.subjects.identifiers import mask_name
from govcredit.subjects.models import CivilServant, Organization
from govcredit.subjects.selectors import visible_orgs, visible_people

from . import pdf
from .models import ArchiveQuery, CreditReport, Purpose, QueryAction
from .sections import COUNTED, NEGATIVE, Row, in_force, may_have_rows, registered_sections

Subject = Organization | CivilServant
PERIOD_YEARS = 5  # the query period a report covers, ending at its issue: 查询期 = the last five years
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
NUMBER = re.compile(r"GCR\d{12}")
ACTIONS = {QueryAction.ARCHIVE: "report.query", QueryAction.FULL_ID: "report.reveal",
           QueryAction.REPORT: "report.issue"}


def subject_filter(subject: Subject) -> dict[str, Any]:
    return {"subject_person": subject} if isinstance(subject, CivilServant) else {"subject_org": subject}


def _in_scope(user: User, subject: Subject) -> bool:
    visible = visible_people(user) if isinstance(subject, CivilServant) else visible_orgs(user)
    return visible.filter(pk=subject.pk).exists()


def log_query(user: User, subject: Subject, *, action: str, purpose: str, purpose_text: str = "",
              case_reference: str) -> ArchiveQuery:
    """Log one look at ``subject``'s archive (a ledger entry), refusing a missing purpose or case."""
    access.require(user, access.QUERY_ARCHIVES)
    if action == QueryAction.FULL_ID:
        access.require(user, access.FULL_ID_NUMBERS)
    if not _in_scope(user, subject):
        raise PermissionDenied(_("该主体不在您的查询范围内"))
    purpose_text, case_reference = purpose_text.strip(), case_reference.strip()
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("请选择查询目的")
    elif purpose == Purpose.OTHER and not purpose_text:
        errors["purpose_text"] = _("查询目的为“其他”时请写明目的")
    if not case_reference:
        errors["case_reference"] = _("请填写事由编号（如干部任用的考察文号）")
    if len(purpose_text) > 200 or len(case_reference) > 100:
        errors["case_reference"] = _("目的说明不超过 200 字，事由编号不超过 100 字")
    if errors:
        raise ValidationError(errors)
    query = ArchiveQuery(user=user, user_name=user.get_full_name() or user.get_username(),
                         user_org_name=user.organization.name if user.organization else "",
                         action=action, purpose=purpose, purpose_text=purpose_text,
                         case_reference=case_reference, at=clock.now(), **subject_filter(subject))
    save_with_entry(query, actor=user, action=ACTIONS[QueryAction(action)],
                    reason=f"{purpose}{'：' + purpose_text if purpose_text else ''}（{case_reference}）")
    return query


def reveal_id_number(user: User, person: CivilServant, *, purpose: str, purpose_text: str = "",
                     case_reference: str) -> str:
    """The full ID number, for the roles allowed it, after logging why it was asked for."""
    log_query(user, person, action=QueryAction.FULL_ID, purpose=purpose, purpose_text=purpose_text,
              case_reference=case_reference)
    return person.full_id_number()


InForce = tuple[int, str, dt.datetime, str, dt.date]  # a record in force: pk, status, updated, polarity, decided
# The sections a report issued before sections were keyed showed (its archive digest covers these).
LEGACY_SECTION_KEYS = ("archive.negative", "archive.positive")


def _snapshot(subject: Subject, at: dt.datetime,
              keys: Sequence[str] | None = None) -> tuple[list[dict[str, Any]], list[InForce], str]:
    """The report's sections for ``subject`` at ``at`` (all registered ones, or those named by ``keys``:
    the ones a report already issued showed), the records in force (pk, status, updated, polarity,
    decision date) and the digest of everything they show, which verification compares with the one taken
    at issue to say whether the archive changed since.

    The digest is taken over the sections worded in the default language, so a report issued from an
    English page and verified from a Chinese one (or the reverse) compares like with like; a section
    registered after a report was issued is not in that report's digest."""
    where = subject_filter(subject)
    chosen = [(key, s) for key, s in registered_sections()
              if (keys is None or key in keys) and may_have_rows(key, where)]
    sections: list[dict[str, Any]] = [
        {"key": key, "title": s.title(), "columns": s.columns(), "widths": list(s.widths),
         "rows": s.rows(where, at) if may_have_rows(key, where) else []}
        for key, s in registered_sections() if keys is None or key in keys]
    rows: list[list[Row]]
    if (translation.get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        rows = [section["rows"] for section in sections]
    else:
        with translation.override(settings.LANGUAGE_CODE):
            by_key: dict[str, list[Row]] = {key: s.rows(where, at) for key, s in chosen}
        rows = [by_key.get(str(section["key"]), []) for section in sections]
    records: list[InForce] = (list(in_force(where, at).values_list(
        "pk", "status", "updated_at", "type_version__polarity", "decision_date"))
        if may_have_rows("archive.negative", where) else [])
    digested = [[pk, status, updated.isoformat()] for pk, status, updated, _p, _d in records]
    return sections, records, hashlib.sha256(json.dumps([digested, rows], ensure_ascii=False).encode()).hexdigest()


def archive_digest(subject: Subject, keys: Sequence[str] | None = None) -> str:
    """The digest of ``subject``'s archive now, over the sections named by ``keys`` (default: all)."""
    return _snapshot(subject, clock.now(), keys)[2]


def section_keys(report: CreditReport) -> list[str]:
    """The sections ``report`` was issued with (reports from before sections were keyed: the archive's two)."""
    keys = [section.get("key") for section in report.content.get("sections", [])]
    return [str(k) for k in keys] if keys and all(keys) else list(LEGACY_SECTION_KEYS)


def _identity(subject: Subject) -> list[list[str]]:
    if isinstance(subject, CivilServant):
        return [[_("姓名"), subject.name], [_("身份证号"), subject.id_masked],
                [_("工作单位"), subject.employer.name], [_("职务"), subject.post],
                [_("职级"), subject.rank or "—"], [_("状态"), str(subject.get_status_display())]]
    return [[_("单位名称"), subject.name], [_("统一社会信用代码"), subject.credit_code],
            [_("单位类型"), subject.org_type], [_("上级单位"), subject.parent.name if subject.parent else "—"]]


def _masked_name(subject: Subject) -> str:
    if isinstance(subject, CivilServant):
        return f"{mask_name(subject.name)}（{subject.id_masked}）"
    return f"{subject.name}（{subject.credit_code}）"


def build_content(subject: Subject, query: ArchiveQuery, *, at: dt.datetime) -> tuple[dict[str, Any], str]:
    """What a report says, worded in the active language, ID numbers masked (a report is filed on paper),
    and the digest of the archive it was drawn from."""
    day = clock.local_date(at)
    since = day.replace(year=day.year - PERIOD_YEARS, day=28 if (day.month, day.day) == (2, 29) else day.day)
    sections, records, digest = _snapshot(subject, at)
    counted = sum(1 for _pk, status, _u, polarity, decided in records
                  if polarity == NEGATIVE and status in COUNTED and decided >= since)
    conclusion = (_("查询期内无政务失信记录。") if counted == 0
                  else _("查询期内有政务失信记录 %(n)d 条，详见上表。") % {"n": counted})
    purpose = query.purpose + (f"：{query.purpose_text}" if query.purpose_text else "")
    return {
        "lang": (translation.get_language() or settings.LANGUAGE_CODE)[:2],
        "title": _("政务信用报告"),
        "identity": _identity(subject),
        "period": f"{since.isoformat()} — {day.isoformat()}",
        "purpose": f"{purpose}（{query.case_reference}）",
        "sections": sections,
        "negative_count": counted,
        "conclusion": conclusion,
    }, digest


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _code_digest(number: str, code: str) -> str:
    return crypto.blind_index(f"report:{number}:{code.strip().upper()}")


def _next_number(day: dt.date) -> str:
    prefix = f"GCR{day:%Y%m%d}"
    last = (CreditReport.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    return f"{prefix}{int(last[-4:]) + 1 if last else 1:04d}"


def reports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def issue_report(user: User, subject: Subject, *, purpose: str, purpose_text: str = "", case_reference: str,
                 verify_url: str) -> tuple[CreditReport, str]:
    """Issue a report on ``subject`` now: logs the query, lays out the PDF, keeps the digests (a ledger
    entry). Returns the report and its verification code, which is shown once and kept only as a digest.
    ``verify_url`` is the public verification page's address; the QR code carries it with number and code."""
    access.require(user, access.ISSUE_REPORTS)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                query = log_query(user, subject, action=QueryAction.REPORT, purpose=purpose,
                                  purpose_text=purpose_text, case_reference=case_reference)
                at = query.at
                number, code = _next_number(clock.local_date(at)), "".join(
                    secrets.choice(CODE_ALPHABET) for _ in range(8))
                content, digest = build_content(subject, query, at=at)
                issuer_org = user.organization.name if user.organization else _("南京市社会信用体系建设领导小组办公室")
                content.update(number=number, issued_at=timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                               issuer=query.user_name, issuer_org=issuer_org)
                document = pdf.render(content, code=code, verify_url=f"{verify_url}?number={number}&code={code}")
                path = reports_dir() / f"{number}.pdf"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(document)
                report = CreditReport(number=number, code_digest=_code_digest(number, code), query=query,
                                      subject_masked=_masked_name(subject), issued_at=at,
                                      issuer_name=query.user_name, issuer_org_name=issuer_org, content=content,
                                      content_digest=_digest(content), archive_digest=digest,
                                      pdf_sha256=hashlib.sha256(document).hexdigest(), pdf_path=str(path),
                                      **subject_filter(subject))
                save_with_entry(report, actor=user, action="report.issue",
                                reason=f"{number}：{query.purpose}（{query.case_reference}）")
                return report, code
        except IntegrityError:  # two reports numbered at once: take the next number
            continue
    raise RuntimeError("报告编号分配冲突，请重试")


@dataclass(frozen=True)
class Verification:
    genuine: bool
    message: str
    report: CreditReport | None = None
    changed_since: bool | None = None


def _check(report: CreditReport) -> Verification:
    if _digest(report.content) != report.content_digest:
        return Verification(False, _("该编号的报告存在，但系统中保存的内容与签发时的摘要不一致，请联系出具单位。"), report)
    subject = report.subject_person or report.subject_org
    assert subject is not None
    changed = archive_digest(subject, section_keys(report)) != report.archive_digest
    return Verification(True, _("报告真实有效。"), report, changed)


def verify(number: str, code: str) -> Verification:
    number, code = number.strip().upper(), code.strip().upper()
    report = CreditReport.objects.filter(number=number).select_related("subject_person", "subject_org").first()
    if report is None:
        return Verification(False, _("未找到编号为 %(n)s 的报告：该编号不是本平台出具的。") % {"n": number[:24]})
    if not hmac.compare_digest(report.code_digest, _code_digest(number, code)):
        return Verification(False, _("核验码与报告编号不符：请核对报告上印的核验码。"))
    return _check(report)


def verify_pdf(data: bytes) -> Verification:
    """Is this file a report the platform issued, unchanged? Its SHA-256 must be one we issued; a file
    that names a report number but differs from that report's file has been edited."""
    digest = hashlib.sha256(data).hexdigest()
    report = CreditReport.objects.filter(pdf_sha256=digest).select_related("subject_person", "subject_org").first()
    if report is not None:
        return _check(report)
    named = NUMBER.search(data.decode("latin-1"))
    if named and CreditReport.objects.filter(number=named.group(0)).exists():
        return Verification(False, _("该文件标注为报告 %(n)s，但与平台出具的文件不一致：文件已被修改。")
                            % {"n": named.group(0)})
    return Verification(False, _("该文件不是本平台出具的信用报告。"))
