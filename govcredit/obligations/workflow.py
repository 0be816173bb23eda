"""The workflow kinds of procurement payments (on the shared engine, ``workflow``):

* **Complaint about non-payment** (条例 第二十条): the office that receives it forwards it to the department
  that handles it within 10 working days of accepting it; that department answers within 30 days of
  receiving it (at most 90 with an extension). Forwarding sets the new due date (``workflow.set_due``), so
  reminders, overdue marks and escalation follow the current stage; the steps are taken through
  :func:`act_on_complaint`, never the generic transition API.
* **Publication of last year's overdue contracts** (条例 第二十五条): every department with SME payments
  overdue and unpaid at the end of last year publishes their count and amount by 31 March; the March
  job (:func:`remind_overdue_lists`) opens its case on 1 March with that due date, and reminders follow.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govcredit.accounts.models import Role, User
from govcredit.core import clock
from govcredit.workflow import services as engine
from govcredit.workflow.kinds import Kind, Step
from govcredit.workflow.models import Case

from .models import Obligation
from .services import ObligationError

DEPARTMENT = frozenset({Role.SUBJECT, Role.SUBMITTER, Role.DISTRICT})
CREDIT = frozenset({Role.CREDIT_OFFICE})

RECEIVED, HANDLING, EXTENDED, ANSWERED, WITHDRAWN = "待转交", "处理中", "延期处理", "已反馈", "已撤回"
FORWARD_WORKDAYS = 10
ANSWER_DAYS = 30
ANSWER_MAX_DAYS = 90
COMPLAINT = Kind(
    code="obligations.complaint",
    label=gettext_noop("拖欠中小企业款项投诉"),
    initial=RECEIVED,
    final=frozenset({ANSWERED, WITHDRAWN}),
    steps=(
        Step(RECEIVED, HANDLING, gettext_noop("转交处理投诉部门"), roles=CREDIT),
        Step(RECEIVED, WITHDRAWN, gettext_noop("不予受理"), roles=CREDIT),
        Step(HANDLING, EXTENDED, gettext_noop("情况复杂，延长处理期限"), roles=DEPARTMENT | CREDIT),
        Step(HANDLING, ANSWERED, gettext_noop("形成处理结果并反馈投诉人"), roles=DEPARTMENT | CREDIT),
        Step(EXTENDED, ANSWERED, gettext_noop("形成处理结果并反馈投诉人"), roles=DEPARTMENT | CREDIT),
    ),
    days=FORWARD_WORKDAYS,
    working_days=True,
    reminders=(3, 1),
    owner_roles=DEPARTMENT,
    handled_by=gettext_noop("拖欠款项投诉页面或投诉接口（/api/obligations/complaints/）"),
)

TO_PUBLISH, PUBLISHED = "待公开", "已公开"
OVERDUE_LIST = Kind(
    code="obligations.overdue_list",
    label=gettext_noop("公开上一年度逾期未支付中小企业款项合同"),
    initial=TO_PUBLISH,
    final=frozenset({PUBLISHED}),
    steps=(Step(TO_PUBLISH, PUBLISHED, gettext_noop("已公开合同数量、金额"), roles=DEPARTMENT | CREDIT),),
    days=30,
    working_days=False,
    reminders=(14, 7, 1),
    owner_roles=DEPARTMENT,
)


def publication_deadline(year: int) -> dt.date:
    """The list of ``year``'s overdue contracts is due by 31 March of the next year."""
    return dt.date(year + 1, 3, 31)


@transaction.atomic
def file_complaint(obligation: Obligation, *, text: str) -> Case:
    """A supplier's complaint about the non-payment of ``obligation`` (from the public follow-up page)."""
    if not text.strip():
        raise ObligationError(_("请填写投诉内容"), field="text")
    return engine.open_case(COMPLAINT.code, debtor_org=obligation.debtor_org, owed_to=obligation.creditor_label,
                            basis=obligation, basis_text=f"{obligation.reference}：{text.strip()[:500]}",
                            reason=("供应商投诉拖欠款项"))


@transaction.atomic
def act_on_complaint(case: Case, to_state: str, *, actor: User, reason: str, extend_days: int = 0) -> Case:
    """Take a step of a complaint: forwarding gives the department 30 days from today; an extension moves the
    due date by ``extend_days`` but never beyond 90 days from forwarding."""
    if case.kind != COMPLAINT.code:
        raise ObligationError(_("不是拖欠款项投诉"))
    forwarded = case.events.filter(to_state=HANDLING).order_by("at").values_list("at", flat=True).first()
    engine.transition(case, to_state, actor, reason)
    today = clock.today()
    if to_state == HANDLING:
        engine.set_due(case, today + dt.timedelta(days=ANSWER_DAYS), actor=actor, reason=("转交后 30 日内反馈"))
    elif to_state == EXTENDED:
        start = clock.local_date(forwarded) if forwarded is not None else today
        latest = start + dt.timedelta(days=ANSWER_MAX_DAYS)
        wanted = case.due_on + dt.timedelta(days=max(extend_days, 1))
        if wanted > latest:
            raise ObligationError(_("处理期限最长不得超过 %(days)s 日（至 %(date)s）") % {"days": ANSWER_MAX_DAYS,
                                                                                  "date": latest})
        engine.set_due(case, wanted, actor=actor, reason=reason)
    return case


def remind_overdue_lists(today: dt.date | None = None) -> int:
    """Daily job, in March: open the publication case of each department with last year's overdue SME payments
    (once per department and year), due 31 March; the engine sends the reminders."""
    from .reports import overdue_by_department

    today = today or clock.today()
    if today.month != 3:
        return 0
    year = today.year - 1
    tag = f"{year}"
    opened = 0
    for row in overdue_by_department(year):
        exists = Case.objects.filter(kind=OVERDUE_LIST.code, debtor_org=row.org, basis_text__startswith=tag).exists()
        if exists:
            continue
        with transaction.atomic():
            case = engine.open_case(OVERDUE_LIST.code, debtor_org=row.org, owed_to=("社会公众"),
                                    basis_text=(f"{tag} 年度逾期尚未支付中小企业款项的合同 {row.contracts} 份，金额 {row.amount} 元"),
                                    reason=("每年3月31日前公开上一年度逾期合同"))
            engine.set_due(case, publication_deadline(year), actor=None, reason=("3月31日前公开"))
        opened += 1
    return opened
