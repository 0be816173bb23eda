"""Business rules of objections (异议) and credit repairs (信用修复).

Each function is one transaction: the workflow case moves through its kind's state machine
(``workflow.services.transition`` checks the step, the actor's role and scope first, so a refused step
changes nothing), the record changes only through ``archive.services.change_status`` and
``correct_record`` (their ledger entries and ``post_save``, which the portal's withdrawal kind listens
to), and the objection or repair row gets its own ledger entry with the actor and the reason.

Record status: filing an objection marks the record 异议中 at once; upheld or not accepted, it returns
to the status it had (有效 or 公示期满); corrected, it is corrected and returns to it; revoked, it is
已撤销. An approved repair marks it 已修复 and the portal withdraws it (``disclosure.services.withdraw_due``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.archive import services as archive
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.selectors import visible_records
from govcredit.core import clock, crypto
from govcredit.disclosure.services import withdraw_due
from govcredit.ledger.services import save_with_entry, update_with_entries
from govcredit.subjects.identifiers import mask_name, normalize_credit_code, normalize_id_number
from govcredit.workflow import services as workflow
from govcredit.workflow.models import Case

from . import rules
from .guards import deciding
from .models import Applicant, Ground, Objection, Purpose, RemedyFile, Repair
from .workflow import (
    CHECKING,
    CORRECTED,
    EXTENDED,
    NOT_ACCEPTED,
    NOT_REPAIRED,
    OBJECTION,
    REPAIR,
    REPAIRED,
    REVIEWING,
    REVOKED,
    UPHELD,
)

MAX_FILES = 5
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
# The same answer whether the number is wrong, absent, or the record holds no such identifier.
MSG_NOT_VERIFIED = gettext_noop("无法核验您与该公示信息的关系：请核对统一社会信用代码或证件号码后重试，"
                    "或携带身份证明到决定机关当面提出异议")
MSG_NOT_FOUND = gettext_noop("未找到该编号的申请，或查询码不正确")
# Rules a department names when it refuses a repair (it may also write its own).
REFUSAL_RULES = (
    f"{rules.REPAIR_LAW}：失信行为尚未纠正",
    f"{rules.REPAIR_LAW}：法定义务尚未履行完毕",
    f"{rules.REPAIR_LAW}：未按要求作出信用承诺",
    f"{rules.REPAIR_LAW}：申请材料不真实、不完整",
    f"{rules.REPAIR_LAW}：未满最短公示期",
)
OBJECTION_ACTIONS = {"accept": CHECKING, "refuse": NOT_ACCEPTED, "extend": EXTENDED, "correct": CORRECTED,
                     "revoke": REVOKED, "uphold": UPHELD}
REPAIR_ACTIONS = {"accept": REVIEWING, "refuse": NOT_ACCEPTED, "approve": REPAIRED, "reject": NOT_REPAIRED}

Upload = tuple[str, bytes]


@dataclass(frozen=True)
class Filed:
    """A new objection or repair and its one-time query code (only its digest is kept)."""

    number: str
    code: str
    objection: Objection | None = None
    repair: Repair | None = None


# --- helpers --------------------------------------------------------------------------------------

def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _number(prefix: str, model: type[Objection] | type[Repair]) -> str:
    """The day's next number. Called after the case's ledger entry, so this transaction holds the ledger's
    head: another filing cannot count the same rows until this one commits."""
    stem = f"{prefix}{clock.today():%Y%m%d}"
    return f"{stem}{model.objects.filter(number__startswith=stem).count() + 1:04d}"


def _check_files(files: list[Upload], field: str = "files") -> list[tuple[str, bytes, str, str]]:
    """Each file a PDF, JPEG or PNG by its first bytes, within the evidence size limit."""
    if len(files) > MAX_FILES:
        raise ValidationError({field: gettext("最多上传 %(max)s 个文件") % {"max": MAX_FILES}})
    limit = workflow.evidence_max_bytes()
    checked = []
    for name, data in files:
        if not data:
            raise ValidationError({field: gettext("文件“%(name)s”为空") % {"name": name}})
        if len(data) > limit:
            raise ValidationError({field: gettext("文件“%(name)s”超过 %(mb)s MB 上限") % {
                "name": name, "mb": limit // (1024 * 1024)}})
        found = workflow.sniff(data)
        if found is None:
            raise ValidationError({field: gettext("文件“%(name)s”不是 PDF、JPEG 或 PNG（按文件内容识别，不按扩展名）") % {
                "name": name}})
        checked.append((name, data, *found))
    return checked


def _store(checked: list[tuple[str, bytes, str, str]], *, by: str, purpose: str = Purpose.EVIDENCE,
           objection: Objection | None = None, repair: Repair | None = None) -> None:
    for name, data, ctype, ext in checked:
        digest = hashlib.sha256(data).hexdigest()
        path = f"remedies/files/{digest[:2]}/{digest}{ext}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(data))
        row = RemedyFile(objection=objection, repair=repair, purpose=purpose, name=name[-200:] or f"{digest[:12]}{ext}",
                         content_type=ctype, size=len(data), sha256=digest, path=path, uploaded_by=by[:200],
                         uploaded_at=clock.now())
        save_with_entry(row, actor=by, action="remedies.file", reason=f"上传{purpose} {row.name}")


def _tell_applicant(case: Case, user: User | None, text: str) -> None:
    if user is not None and user.is_active:
        workflow.notify(case, [user], text)


def _require_own_record(user: User, record: CreditRecord) -> None:
    if not access.can_file_remedies(user):
        raise PermissionDenied(gettext("只有信用主体可以就本单位、本人的记录提出申请"))
    if not visible_records(user).filter(pk=record.pk).exists():
        raise PermissionDenied(gettext("该记录不是关于本单位或本人的记录"))


def counterparty_matches(record: CreditRecord, claimed: str) -> bool:
    """Does ``claimed`` equal the credit code or an ID number the record holds (by the blind index)? The
    counterparty's, its legal representative's, or — for a record about a government subject shown on the
    portal — the subject organisation's code or the civil servant's ID number.

    Compared in constant time; the answer tells nothing about which of them the record holds."""
    text = claimed.strip()
    if not text:
        return False
    code = normalize_credit_code(text)
    index = crypto.blind_index(normalize_id_number(text))
    subject_code = record.subject_org.credit_code if record.subject_org is not None else ""
    subject_index = record.subject_person.id_index if record.subject_person is not None else ""
    found = False
    for held, given in ((record.counterparty_code, code), (record.counterparty_id_index, index),
                        (record.legal_rep_id_index, index), (subject_code, code), (subject_index, index)):
        found |= bool(held) and hmac.compare_digest(held, given)
    return found


def open_objection(record: CreditRecord) -> Objection | None:
    return record.objections.filter(case__closed_at__isnull=True).order_by("-pk").first()


def open_repair(record: CreditRecord) -> Repair | None:
    return record.repairs.filter(case__closed_at__isnull=True).order_by("-pk").first()


# --- objections -----------------------------------------------------------------------------------

def objection_refusal(record: CreditRecord) -> str | None:
    """Why no objection may be filed on the record now; None when one may."""
    if record.status == RecordStatus.OBJECTION:
        current = open_objection(record)
        return gettext("该记录已有办理中的异议（编号 %(number)s），请关注其处理结果") % {
            "number": current.number if current else "—"}
    if record.status in (RecordStatus.REVOKED, RecordStatus.REPAIRED):
        return gettext("该记录%(status)s，不能再提出异议") % {"status": record.get_status_display()}
    pending = open_repair(record)
    if pending is not None:
        return gettext("该记录的信用修复申请（编号 %(number)s）正在办理，办结前不能就其提出异议") % {
            "number": pending.number}
    return None


@transaction.atomic
def file_objection(record: CreditRecord, *, ground: str, reasons: str, files: list[Upload],
                   user: User | None = None, applicant_name: str = "", contact: str = "",
                   verification: str = "") -> Filed:
    """An objection by the record's subject (``user``, signed in) or by the counterparty it names (no user:
    name, contact and the credit code or ID number the record holds, checked without saying which failed).

    The case goes to the department that submitted the record; the record is marked 异议中 at once.
    """
    if user is not None:
        _require_own_record(user, record)
    locked = CreditRecord.objects.select_for_update().select_related("type_version", "record_type",
                                                                     "issuing_org").get(pk=record.pk)
    if user is None and not counterparty_matches(locked, verification):
        raise ValidationError({"verification": gettext(MSG_NOT_VERIFIED)})
    if ground not in Ground.values:
        raise ValidationError({"ground": gettext("异议理由类别应为：%(values)s") % {
            "values": gettext("、").join(str(g.label) for g in Ground)}})
    if not reasons.strip():
        raise ValidationError({"reasons": gettext("请填写异议理由")})
    refusal = objection_refusal(locked)
    if refusal:
        raise ValidationError({"record": refusal})
    earlier = (locked.objections.filter(ground=ground, case__closed_at__isnull=False)
               .order_by("-decided_at", "-pk").first())
    if earlier is not None:
        raise ValidationError({"ground": gettext(
            "该记录已就“%(ground)s”作出异议处理决定（编号 %(number)s，%(outcome)s：%(reason)s），同一理由不再受理；"
            "如有新的事实和证据，请选择相应的理由类别提出") % {
                "ground": Ground(ground).label, "number": earlier.number, "outcome": gettext(earlier.outcome),
                "reason": earlier.outcome_reason}})
    if user is None:
        if not applicant_name.strip() or not contact.strip():
            raise ValidationError({"contact": gettext("请填写申请人姓名或名称和联系方式")})
        kind, name, actor = Applicant.COUNTERPARTY, applicant_name.strip(), f"公开网站：{mask_name(applicant_name.strip())}"
    else:
        kind, name, actor = Applicant.SUBJECT, locked.subject_label, user.get_username()
    checked = _check_files(files)
    limits = rules.objection_limits(locked)
    case = workflow.open_case(OBJECTION.code, debtor_org=locked.issuing_org, owed_to=f"{kind} {name}"[:200],
                              basis=locked, basis_text=f"{locked.record_type.name} {locked.decision_number}：{ground}",
                              reason=f"{kind}提出异议：{ground}", actor=user)
    accept_due = workflow.shift(OBJECTION, case.opened_on, limits.accept_days)
    if accept_due != case.due_on:
        workflow.set_due(case, accept_due, actor=user, reason="按目录规定的异议受理期限")
    code = _new_code()
    objection = Objection(number=_number("YY", Objection), record=locked, case=case, applicant_kind=kind,
                          applicant_user=user, applicant_name=name[:200], contact=contact.strip()[:100],
                          ground=ground, reasons=reasons.strip(), previous_status=locked.status,
                          accept_due_on=accept_due, code_hash=_digest(code), created_at=clock.now())
    save_with_entry(objection, actor=actor, action="remedies.objection.file", reason=f"{ground}：{reasons.strip()[:200]}")
    _store(checked, by=actor, objection=objection)
    archive.change_status(locked, RecordStatus.OBJECTION, actor=actor,
                          reason=f"收到异议 {objection.number}（{ground}），记录标注异议中")
    _tell_applicant(case, user, f"异议 {objection.number} 已提交，受理期限 {accept_due:%Y-%m-%d}")
    return Filed(objection.number, code, objection=objection)


def _return_record(objection: Objection, actor: str, why: str) -> None:
    record = CreditRecord.objects.get(pk=objection.record_id)
    with deciding():
        archive.change_status(record, objection.previous_status, actor=actor, reason=why)


@transaction.atomic
def act_on_objection(objection: Objection, action: str, user: User, reason: str,
                     values: dict[str, Any] | None = None) -> Objection:
    """The department's step on an objection: ``accept``, ``refuse``, ``extend`` (once, with a written
    reason), or decide — ``correct`` (with the corrected ``values``), ``revoke``, ``uphold``.

    The case's state machine is checked first (deciding twice, deciding before accepting, extending twice
    are refused with the allowed steps named); a refusal changes nothing.
    """
    if not access.can_decide_remedies(user):
        raise PermissionDenied(gettext("您的角色无权办理异议"))
    target = OBJECTION_ACTIONS.get(action)
    if target is None:
        raise ValidationError({"action": gettext("办理方式应为：%(values)s") % {"values": ", ".join(OBJECTION_ACTIONS)}})
    if not reason.strip():
        raise ValidationError({"reason": gettext("办理必须填写理由")})
    objection = Objection.objects.select_for_update().select_related("record", "case").get(pk=objection.pk)
    case = workflow.transition(objection.case, target, user, reason)
    actor, limits, now = user.get_username(), rules.objection_limits(objection.record), clock.now()
    fields: list[str]
    if target == CHECKING:
        due = workflow.shift(OBJECTION, clock.today(), limits.decide_days)
        workflow.set_due(case, due, actor=user, reason="已受理，按目录规定的异议办结期限")
        objection.decide_due_on, fields = due, ["decide_due_on"]
        text = f"异议 {objection.number} 已受理，办结期限 {due:%Y-%m-%d}"
    elif target == EXTENDED:
        base = objection.decide_due_on or case.due_on
        due = workflow.shift(OBJECTION, base, limits.extend_days)
        workflow.set_due(case, due, actor=user, reason=f"延长核查期限：{reason}")
        objection.decide_due_on, objection.extension_reason, fields = due, reason.strip(), ["decide_due_on",
                                                                                             "extension_reason"]
        text = f"异议 {objection.number} 的核查期限延长至 {due:%Y-%m-%d}：{reason}"
    else:
        why = f"异议 {objection.number} 处理结果：{target}。{reason}"
        if target == REVOKED:
            with deciding():
                archive.change_status(objection.record, RecordStatus.REVOKED, actor=actor, reason=why)
        elif target == CORRECTED:
            if not values:
                raise ValidationError({"values": gettext("更正须给出更正后的记录内容")})
            archive.correct_record(objection.record, values, actor=actor, reason=why)
            _return_record(objection, actor, why)
        else:  # upheld, or not accepted: the record returns to the status it had
            _return_record(objection, actor, why)
        objection.outcome, objection.outcome_reason = target, reason.strip()
        objection.decided_at, objection.decided_by = now, actor
        fields = ["outcome", "outcome_reason", "decided_at", "decided_by"]
        text = f"异议 {objection.number} 处理结果：{target}。理由：{reason}"
    update_with_entries(Objection, [objection], fields, actor=actor, action=f"remedies.objection.{action}",
                        reason=reason.strip())
    _tell_applicant(case, objection.applicant_user, text)
    return objection


# --- repairs --------------------------------------------------------------------------------------

@transaction.atomic
def apply_repair(record: CreditRecord, *, user: User, corrected: str, commitment: Upload | None,
                 files: list[Upload]) -> Filed:
    """A subject's application to repair a record, with the signed credit commitment (信用承诺书)."""
    _require_own_record(user, record)
    locked = CreditRecord.objects.select_for_update().select_related("type_version", "record_type",
                                                                     "issuing_org").get(pk=record.pk)
    refusal = rules.repair_refusal(locked, clock.today())
    if refusal:
        raise ValidationError({"record": refusal})
    pending = open_repair(locked)
    if pending is not None:
        raise ValidationError({"record": gettext("该记录已有办理中的信用修复申请（编号 %(number)s）") % {
            "number": pending.number}})
    if not corrected.strip():
        raise ValidationError({"corrected": gettext("请说明纠正失信行为、履行法定义务的情况")})
    if commitment is None:
        raise ValidationError({"commitment": gettext("请上传签署后的信用承诺书（PDF 或图片）")})
    signed = _check_files([commitment], "commitment")
    checked = _check_files(files)
    limits = rules.repair_limits(locked)
    actor = user.get_username()
    case = workflow.open_case(REPAIR.code, debtor_org=locked.issuing_org, owed_to=f"信用主体 {locked.subject_label}"[:200],
                              basis=locked, basis_text=f"{locked.record_type.name} {locked.decision_number}：申请信用修复",
                              reason="信用主体申请信用修复", actor=user)
    accept_due = workflow.shift(REPAIR, case.opened_on, limits.accept_days)
    if accept_due != case.due_on:
        workflow.set_due(case, accept_due, actor=user, reason="按目录规定的修复受理期限")
    code = _new_code()
    repair = Repair(number=_number("XF", Repair), record=locked, case=case, applicant_user=user,
                    applicant_name=locked.subject_label[:200], corrected=corrected.strip(), accept_due_on=accept_due,
                    code_hash=_digest(code), created_at=clock.now())
    save_with_entry(repair, actor=actor, action="remedies.repair.apply", reason=corrected.strip()[:200])
    _store(signed, by=actor, purpose=Purpose.COMMITMENT, repair=repair)
    _store(checked, by=actor, repair=repair)
    _tell_applicant(case, user, f"信用修复申请 {repair.number} 已提交，受理期限 {accept_due:%Y-%m-%d}")
    return Filed(repair.number, code, repair=repair)


@transaction.atomic
def act_on_repair(repair: Repair, action: str, user: User, reason: str, rule: str = "") -> Repair:
    """The department's step on a repair: ``accept``, ``refuse`` or ``reject`` (naming the rule), ``approve``.

    Approval checks the record again (an objection filed since, a catalog rule) and refuses with the
    rule named; approved, the record is 已修复 and the portal withdraws it in the same transaction.
    """
    if not access.can_decide_remedies(user):
        raise PermissionDenied(gettext("您的角色无权办理信用修复申请"))
    target = REPAIR_ACTIONS.get(action)
    if target is None:
        raise ValidationError({"action": gettext("办理方式应为：%(values)s") % {"values": ", ".join(REPAIR_ACTIONS)}})
    if not reason.strip():
        raise ValidationError({"reason": gettext("办理必须填写理由")})
    if target in (NOT_ACCEPTED, NOT_REPAIRED) and not rule.strip():
        raise ValidationError({"rule": gettext("不予受理或不予修复须写明依据的规定")})
    repair = Repair.objects.select_for_update().select_related("record", "case").get(pk=repair.pk)
    case = workflow.transition(repair.case, target, user, reason)
    actor, limits, now = user.get_username(), rules.repair_limits(repair.record), clock.now()
    fields: list[str]
    if target == REVIEWING:
        due = workflow.shift(REPAIR, clock.today(), limits.decide_days)
        workflow.set_due(case, due, actor=user, reason="已受理，按目录规定的修复办结期限")
        repair.decide_due_on, fields = due, ["decide_due_on"]
        text = f"信用修复申请 {repair.number} 已受理，办结期限 {due:%Y-%m-%d}"
    else:
        if target == REPAIRED:
            record = CreditRecord.objects.select_for_update().select_related("type_version", "record_type").get(
                pk=repair.record_id)
            refusal = rules.repair_refusal(record, clock.today())
            if refusal:
                raise ValidationError({"record": refusal})
            archive.change_status(record, RecordStatus.REPAIRED, actor=actor,
                                  reason=f"信用修复申请 {repair.number} 准予修复：{reason}")
            withdraw_due()  # the portal stops publishing it now, with its public note
        repair.outcome, repair.outcome_reason, repair.rule = target, reason.strip(), rule.strip()[:200]
        repair.decided_at, repair.decided_by = now, actor
        fields = ["outcome", "outcome_reason", "rule", "decided_at", "decided_by"]
        text = f"信用修复申请 {repair.number} 处理结果：{target}。理由：{reason}" + (f"（依据：{rule}）" if rule else "")
    update_with_entries(Repair, [repair], fields, actor=actor, action=f"remedies.repair.{action}", reason=reason.strip())
    _tell_applicant(case, repair.applicant_user, text)
    return repair


# --- following a case without logging in ----------------------------------------------------------

def find_by_code(number: str, code: str) -> Objection | Repair | None:
    """The objection or repair with this number whose query code matches; None otherwise (either way the
    same answer, so numbers cannot be tried one by one)."""
    number, digest = number.strip().upper(), _digest(code)
    related = ("record", "record__record_type", "case")
    model = Repair if number.startswith("XF") else Objection
    row = model.objects.select_related(*related).filter(number=number).first()
    if not isinstance(row, Objection | Repair) or not hmac.compare_digest(row.code_hash, digest):
        return None
    return row
