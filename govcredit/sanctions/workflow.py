"""The two workflow kinds of joint punishment: rectification (整改) and fault tolerance (容错纠错).

**Rectification.** The measure 书面说明原因并限期整改 opens a case for the responsible department: the
written explanation and the rectification plan are due in the days the measure's version sets
(``rectification_days``, working days by the State Council calendar or calendar days; by default
``RECTIFICATION_DAYS`` working days); the department then reports the rectification with its evidence, and only the credit
office's acceptance closes the case. Reminders go out before the deadline; once it has passed the case
is marked overdue and escalated to the department's superiors (district and submitting users of every
organisation above it) and the credit office. A measure that ends early (record revoked or repaired,
a fault-tolerance waiver) stops its case.

**Fault tolerance.** A department or civil servant applies on a record or one of its pending measures;
the department above gives its opinion, the credit office reviews, and a collective decision with its
minutes (an uploaded PDF or image, checked like all evidence) and the list of people who decided
waives or lightens the measures, or refuses. The decision steps are system steps: they are taken only
by :func:`record_finding`, which requires the minutes and deciders, so no one can skip them through
the generic transition API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from govcredit.accounts import access
from govcredit.accounts.models import Role, User
from govcredit.archive.models import CreditRecord
from govcredit.archive.selectors import visible_records
from govcredit.core import clock
from govcredit.ledger.services import save_with_entry
from govcredit.workflow import services as workflow
from govcredit.workflow.kinds import Kind, Step
from govcredit.workflow.models import Case, Evidence

from .models import (
    AppliedMeasure,
    Effect,
    EndReason,
    FaultToleranceApplication,
    FaultToleranceFinding,
    Ground,
    MeasureStatus,
    Outcome,
)

DEPARTMENT = frozenset({Role.SUBJECT, Role.SUBMITTER, Role.DISTRICT})
SUPERIORS = frozenset({Role.SUBMITTER, Role.DISTRICT})
CREDIT = frozenset({Role.CREDIT_OFFICE})

RECTIFICATION_DAYS = 10
EXPLAIN = gettext_noop("待书面说明")
RECTIFYING = gettext_noop("整改中")
CHECKING = gettext_noop("待验收")
ACCEPTED = gettext_noop("已验收办结")
STOPPED = gettext_noop("已终止")
RECTIFICATION = Kind(
    code="sanctions.rectification",
    label=gettext_noop("书面说明原因并限期整改"),
    initial=EXPLAIN,
    final=frozenset({ACCEPTED, STOPPED}),
    steps=(
        Step(EXPLAIN, RECTIFYING, gettext_noop("提交书面说明和整改方案"), roles=DEPARTMENT),
        Step(RECTIFYING, CHECKING, gettext_noop("报告整改完成（附佐证材料）"), roles=DEPARTMENT),
        Step(CHECKING, ACCEPTED, gettext_noop("验收通过，办结"), roles=CREDIT),
        Step(CHECKING, RECTIFYING, gettext_noop("验收不通过，退回继续整改"), roles=CREDIT),
        Step(EXPLAIN, STOPPED, gettext_noop("措施已结束，终止整改"), system=True),
        Step(RECTIFYING, STOPPED, gettext_noop("措施已结束，终止整改"), system=True),
        Step(CHECKING, STOPPED, gettext_noop("措施已结束，终止整改"), system=True),
    ),
    days=RECTIFICATION_DAYS,
    working_days=True,
    reminders=(3, 1),
    escalate_after=1,
    owner_roles=DEPARTMENT,
    escalation_roles=frozenset({Role.CREDIT_OFFICE, Role.SUBMITTER, Role.DISTRICT}),
)

FAULT_TOLERANCE_DAYS = 20
OPINION = gettext_noop("待单位意见")
REVIEW = gettext_noop("待信用办审查")
COLLECTIVE = gettext_noop("待集体决策")
FOUND = gettext_noop("已认定")
REFUSED = gettext_noop("不予认定")
WITHDRAWN = gettext_noop("已撤回")
FAULT_TOLERANCE = Kind(
    code="sanctions.fault_tolerance",
    label=gettext_noop("容错纠错认定"),
    initial=OPINION,
    final=frozenset({FOUND, REFUSED, WITHDRAWN}),
    steps=(
        Step(OPINION, REVIEW, gettext_noop("出具单位意见"), roles=SUPERIORS),
        Step(OPINION, WITHDRAWN, gettext_noop("申请人撤回申请"), roles=frozenset({Role.SUBJECT})),
        Step(REVIEW, COLLECTIVE, gettext_noop("审查通过，提交集体决策"), roles=CREDIT),
        Step(REVIEW, REFUSED, gettext_noop("审查不通过，不予认定"), roles=CREDIT),
        Step(COLLECTIVE, FOUND, gettext_noop("集体决策：予以容错"), system=True),
        Step(COLLECTIVE, REFUSED, gettext_noop("集体决策：不予认定"), system=True),
    ),
    days=FAULT_TOLERANCE_DAYS,
    working_days=True,
    reminders=(3,),
    escalate_after=1,
    owner_roles=frozenset({Role.SUBJECT}),
)
MIN_DECIDERS = 3


# --- rectification --------------------------------------------------------------------------------

def open_rectifications(measures: list[AppliedMeasure]) -> int:
    """Open a rectification case for each measure in force whose measure version asks for one."""
    opened = 0
    for m in measures:
        if m.measure_version.effect != Effect.RECTIFICATION or m.subject_org_id is None:
            continue
        record = m.record
        version = m.measure_version
        workflow.open_case(RECTIFICATION.code, debtor_org=m.subject_org, owed_to="市信用管理部门", basis=m,
                           basis_text=f"{record.record_type.name} {record.decision_number}：{version.legal_basis}",
                           reason=f"措施“{m.name}”启动，{version.rectification_days} 个"
                                  f"{'工作日' if version.rectification_working_days else '自然日'}内书面说明并提交整改方案",
                           days=(version.rectification_days, version.rectification_working_days))
        opened += 1
    return opened


def stop_rectifications(measures: list[AppliedMeasure], reason: str) -> int:
    return workflow.close_for_basis(RECTIFICATION.code, measures, STOPPED, reason)


# --- fault tolerance ------------------------------------------------------------------------------

@transaction.atomic
def apply_fault_tolerance(record: CreditRecord, *, actor: User, grounds: list[str], statement: str,
                          measure: AppliedMeasure | None = None) -> FaultToleranceApplication:
    """File a fault-tolerance application on a record (all its open punishments) or one of them."""
    if not access.can_apply_fault_tolerance(actor):
        raise PermissionDenied(gettext("您的角色无权申请容错纠错"))
    if not visible_records(actor).filter(pk=record.pk).exists():
        raise PermissionDenied(gettext("该记录不在您的管辖范围内"))
    if not grounds or not set(grounds) <= set(Ground.values):
        raise ValidationError({"grounds": gettext("请选择适用的情形：及时止损、挽回损失或纠正错误")})
    if not statement.strip():
        raise ValidationError({"statement": gettext("请填写申请理由")})
    open_measures = AppliedMeasure.objects.filter(record=record, status__in=(MeasureStatus.IN_FORCE, MeasureStatus.SUSPENDED),
                                                  polarity="惩戒")
    if measure is not None:
        if measure.record_id != record.pk:
            raise ValidationError({"measure": gettext("该措施不是由这条记录启动的")})
        open_measures = open_measures.filter(pk=measure.pk)
    if not open_measures.exists():
        raise ValidationError({"measure": gettext("该记录没有尚在执行的惩戒措施，无需容错认定")})
    if FaultToleranceApplication.objects.filter(record=record, case__closed_at__isnull=True).exists():
        raise ValidationError({"record": gettext("该记录已有办理中的容错纠错申请")})
    case = workflow.open_case(
        FAULT_TOLERANCE.code, debtor_org=record.subject_org if not record.subject_person_id else None,
        debtor_person=record.subject_person, owed_to="市信用管理部门", basis=record, actor=actor,
        basis_text=f"{record.record_type.name} {record.decision_number}：容错纠错申请（{'、'.join(grounds)}）",
        reason=statement)
    application = FaultToleranceApplication(case=case, record=record, measure=measure, grounds=grounds,
                                            statement=statement, applicant=actor, created_at=clock.now())
    save_with_entry(application, actor=actor.get_username(), action="sanctions.fault_tolerance.apply", reason=statement)
    return application


@transaction.atomic
def record_finding(application: FaultToleranceApplication, *, actor: User, outcome: str, meeting_on: dt.date,
                   deciders: list[str], minutes: Evidence, reason: str,
                   lighten_to: dt.date | None = None) -> FaultToleranceFinding:
    """Record the collective decision and apply it: waive (end) or lighten (bring the end forward) the
    measures the application is about, or refuse. Only a case the credit office has passed to the
    collective decision may be decided, once."""
    if not access.can_record_fault_tolerance_finding(actor):
        raise PermissionDenied(gettext("只有信用管理部门可以录入集体决策结果"))
    case = Case.objects.select_for_update().get(pk=application.case_id)
    if case.status != COLLECTIVE:
        raise ValidationError({"status": gettext("申请处于“%(status)s”，只有“%(collective)s”的申请可以录入集体决策结果") % {
            "status": gettext(case.status), "collective": gettext(COLLECTIVE)}})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": gettext("认定结果无效")})
    names = [n.strip() for n in deciders if n.strip()]
    if len(set(names)) < MIN_DECIDERS:
        raise ValidationError({"deciders": gettext("集体决策须列明至少 %(count)s 名参加决策人员") % {
            "count": MIN_DECIDERS}})
    if minutes.case_id != case.pk:
        raise ValidationError({"minutes": gettext("会议纪要须先作为本申请的佐证材料上传")})
    if meeting_on > clock.today():
        raise ValidationError({"meeting_on": gettext("会议日期不能晚于今天")})
    if not reason.strip():
        raise ValidationError({"reason": gettext("请填写认定理由")})
    if outcome == Outcome.LIGHTEN and lighten_to is None:
        raise ValidationError({"lighten_to": gettext("减轻措施须填写措施提前结束的日期")})
    finding = FaultToleranceFinding(application=application, outcome=outcome,
                                    lighten_to=lighten_to if outcome == Outcome.LIGHTEN else None,
                                    meeting_on=meeting_on, deciders=names, minutes=minutes, reason=reason,
                                    decided_by=actor, decided_at=clock.now())
    save_with_entry(finding, actor=actor.get_username(), action="sanctions.fault_tolerance.decide",
                    reason=f"{outcome}：{reason}")
    from .services import end_measures, lighten_measures  # services imports this module

    measures = list(AppliedMeasure.objects.select_for_update().filter(record=application.record, polarity="惩戒"))
    if application.measure_id:
        measures = [m for m in measures if m.pk == application.measure_id]
    note = f"容错纠错认定 #{finding.pk}（{meeting_on} 集体决策）：{reason}"
    if outcome == Outcome.WAIVE:
        end_measures(measures, EndReason.WAIVED, note, actor=actor.get_username())
    elif outcome == Outcome.LIGHTEN:
        assert lighten_to is not None
        lighten_measures(measures, lighten_to, note, actor=actor.get_username())
    workflow.transition(case, REFUSED if outcome == Outcome.REFUSE else FOUND, None,
                        f"集体决策（{'、'.join(names)}）：{reason}（录入人 {actor.get_username()}）")
    return finding


@transaction.atomic
def decide_with_minutes(application: FaultToleranceApplication, *, actor: User, minutes_name: str, minutes_data: bytes,
                        **decision: Any) -> FaultToleranceFinding:
    """Upload the minutes (checked like all evidence) and record the finding, together or not at all."""
    if not access.can_record_fault_tolerance_finding(actor):
        raise PermissionDenied(gettext("只有信用管理部门可以录入集体决策结果"))
    minutes = workflow.attach_evidence(application.case, minutes_name, minutes_data, actor)
    return record_finding(application, actor=actor, minutes=minutes, **decision)


def measure_of(case: Case) -> AppliedMeasure | None:
    """The measure a rectification case is about."""
    if case.basis_id is None:
        return None
    return AppliedMeasure.objects.filter(pk=case.basis_id).select_related("record__record_type").first()


def application_of(case: Case) -> Any:
    return FaultToleranceApplication.objects.filter(case=case).select_related("record", "measure").first()
