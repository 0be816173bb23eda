"""The first workflow kind: taking a revoked, changed or void penalty off the portal within 3 working days.

行政处罚法 (2021) 第48条 and 市场监管总局令第45号 第11条: a published decision that is revoked,
changed or confirmed void must be withdrawn within 3 working days, with the reason. When a record
with a public publication is revoked, a case is opened for the department that submitted it (the
issuing organisation); the portal job (:func:`.services.withdraw_due`, every 10 minutes) withdraws
the publication with its public note and closes the case in the same transaction. Should the job be
stopped, the case's reminders, overdue mark and escalation tell the department and the credit office.
"""

from __future__ import annotations

from typing import Any

from govcredit.accounts.models import Role
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.workflow import services as workflow
from govcredit.workflow.kinds import Kind, Step

from .models import Publication

OPEN = "待撤下"
WITHDRAWN = "已撤下"
DISMISSED = "已撤回立案"
WITHDRAWAL = Kind(
    code="disclosure.withdrawal",
    label="撤下已撤销、变更或无效的处罚公示",
    initial=OPEN,
    final=frozenset({WITHDRAWN, DISMISSED}),
    steps=(
        Step(OPEN, WITHDRAWN, "公示已撤下", system=True),
        Step(OPEN, DISMISSED, "撤回立案（撤销有误已恢复）", roles=frozenset({Role.CREDIT_OFFICE})),
    ),
    days=3,
    working_days=True,
    reminders=(1,),
    escalate_after=1,
    owner_roles=frozenset({Role.SUBMITTER, Role.DISTRICT}),
)
BASIS = "行政处罚法第48条：处罚决定被依法变更、撤销、确认违法或者确认无效的，应当在三日内撤回公开信息并公开说明理由"


def open_withdrawal(record: CreditRecord) -> None:
    """Open the withdrawal case of a revoked record that is on the portal (once: not if one is open)."""
    if record.status != RecordStatus.REVOKED:
        return
    if not Publication.objects.filter(record_id=record.pk, is_public=True).exists():
        return
    if workflow.open_cases_for(WITHDRAWAL.code, [record]).exists():
        return
    workflow.open_case(WITHDRAWAL.code, debtor_org=record.issuing_org, owed_to="社会公众（公开网站）", basis=record,
                       basis_text=f"{record.decision_number}：{BASIS}", reason="已公示的处罚决定被撤销")


def record_saved(sender: type[CreditRecord], instance: CreditRecord, **kwargs: Any) -> None:
    """``post_save`` of a record: runs inside the transaction that revoked it (``archive.change_status``)."""
    open_withdrawal(instance)


def close_withdrawn(records: list[CreditRecord]) -> int:
    """Close the open withdrawal cases of records whose publication the portal job has just withdrawn."""
    return workflow.close_for_basis(WITHDRAWAL.code, records, WITHDRAWN, "公开网站已撤下公示并说明理由")
