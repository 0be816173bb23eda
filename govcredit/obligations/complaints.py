"""A supplier's complaint about non-payment (条例 第二十条) as pages and the API take it: filing, and the steps
of the complaint kind (``workflow.COMPLAINT``) by name. The kind's time limits and its state machine are in
``workflow.py``; the engine refuses a step in the wrong state (``ValidationError``, 422) or by the wrong role or
outside the actor's scope (``PermissionDenied``, 403).

* **Filing**: by the supplier on the public follow-up page (reference and query code,
  ``workflow.file_complaint``), or by the credit office, which receives complaints, on the supplier's behalf
  (:func:`file_on_behalf`). Only about an obligation still owed.
* **Forwarding** (the credit office, within 10 working days): the department then has 30 days to answer.
* **Declining** (the credit office): not accepted, with the reason.
* **Extending** (the department or the credit office, when the case is complex): never beyond 90 days.
* **Answering** (the department or the credit office): the result, fed back to the supplier.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govcredit.accounts import access
from govcredit.accounts.models import User
from govcredit.workflow import kinds as workflow_kinds
from govcredit.workflow import services as engine
from govcredit.workflow.models import Case

from .models import Obligation
from .services import ObligationError
from .workflow import ANSWERED, COMPLAINT, EXTENDED, HANDLING, WITHDRAWN, act_on_complaint, file_complaint

# Action name → (target state, label). The API and the pages name the steps by these.
ACTIONS: dict[str, tuple[str, str]] = {
    "forward": (HANDLING, gettext_noop("转交处理投诉部门")),
    "decline": (WITHDRAWN, gettext_noop("不予受理")),
    "extend": (EXTENDED, gettext_noop("情况复杂，延长处理期限")),
    "answer": (ANSWERED, gettext_noop("形成处理结果并反馈投诉人")),
}


def file_by_supplier(obligation: Obligation, *, text: str) -> Case:
    """The supplier's own complaint (public follow-up page, after reference and query code)."""
    if not obligation.is_owed:
        raise ObligationError(_("该事项已办结，不能投诉"))
    return file_complaint(obligation, text=text)


@transaction.atomic
def file_on_behalf(obligation: Obligation, *, text: str, actor: User) -> Case:
    """The credit office records a complaint it received (by letter, by phone, at the counter); the case's
    first event names the clerk."""
    if not access.has(actor, access.FILE_COMPLAINTS):
        raise PermissionDenied(_("您的角色无权进行此操作"))
    if not obligation.is_owed:
        raise ObligationError(_("该事项已办结，不能投诉"))
    if not text.strip():
        raise ObligationError(_("请填写投诉内容"), field="text")
    return engine.open_case(COMPLAINT.code, debtor_org=obligation.debtor_org, owed_to=obligation.creditor_label,
                            basis=obligation, basis_text=f"{obligation.reference}：{text.strip()[:500]}",
                            reason="信用管理部门代供应商登记拖欠款项投诉", actor=actor)


def steps_for(case: Case, user: User) -> list[str]:
    """The actions ``user``'s role may take on ``case`` in its current state (the page shows these)."""
    kind = workflow_kinds.get(case.kind)
    role = access.role_of(user)
    out = []
    for action, (target, _label) in ACTIONS.items():
        step = kind.step(case.status, target)
        if step is not None and role in step.roles:
            out.append(action)
    return out


def act(case: Case, action: str, *, actor: User, reason: str, extend_days: int = 0) -> Case:
    """Take the named step; an unknown action is refused with the ones there are."""
    if case.kind != COMPLAINT.code:
        raise ObligationError(_("不是拖欠款项投诉"))
    if action not in ACTIONS:
        raise ObligationError(_("未知的办理步骤：%(action)s（可选：%(actions)s）")
                              % {"action": action, "actions": ", ".join(ACTIONS)}, field="action")
    if action == "extend" and extend_days < 1:
        raise ObligationError(_("请填写延长的天数"), field="extend_days")
    return act_on_complaint(case, ACTIONS[action][0], actor=actor, reason=reason, extend_days=extend_days)
