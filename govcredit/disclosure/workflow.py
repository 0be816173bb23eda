"""The first workflow kind: taking a revoked, changed or void penalty off the portal within 3 working days.

行政处罚法 (2021) 第48条 and 市场监管总局令第45号 第11条: a published decision that is revoked,
changed or confirmed void must be withdrawn within 3 working days, with the reason. When a record
with a public publication is revoked, or corrected so that what the portal lists no longer matches it,
a case is opened for the department that submitted it (the issuing organisation); the portal job
(:func:`.services.sync`, every 10 minutes) withdraws the publication with its public note, or brings
it up to date, and closes the case in the same transaction. Should the job be stopped, the case's
reminders, overdue mark and escalation tell the department and the credit office.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from govcredit.accounts.models import Role
from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.workflow import services as workflow
from govcredit.workflow.kinds import Kind, Step

from .models import Publication
from .rules import SHOWN_STATUSES

# Names of the kind, its states and steps are Chinese (stored); gettext_noop marks them for the English
# catalogue, and the inbox translates them when it shows them.
OPEN = gettext_noop("待撤下")
WITHDRAWN = gettext_noop("已撤下")
UPDATED = gettext_noop("已更新")
DISMISSED = gettext_noop("已撤回立案")
WITHDRAWAL = Kind(
    code="disclosure.withdrawal",
    label=gettext_noop("撤下已撤销、变更或无效的处罚公示"),
    initial=OPEN,
    final=frozenset({WITHDRAWN, UPDATED, DISMISSED}),
    steps=(
        Step(OPEN, WITHDRAWN, gettext_noop("公示已撤下"), system=True),
        Step(OPEN, UPDATED, gettext_noop("公示已按更正后的决定更新"), system=True),
        Step(OPEN, DISMISSED, gettext_noop("撤回立案（撤销有误已恢复）"), roles=frozenset({Role.CREDIT_OFFICE})),
    ),
    days=3,
    working_days=True,
    reminders=(1,),
    escalate_after=1,
    owner_roles=frozenset({Role.SUBMITTER, Role.DISTRICT}),
)
BASIS = "行政处罚法第48条：处罚决定被依法变更、撤销、确认违法或者确认无效的，应当在三日内撤回公开信息并公开说明理由"


def open_withdrawal(record: CreditRecord) -> None:
    """Open the case of a record on the portal that was revoked, or corrected in what the portal lists
    (once: not while one is open)."""
    from .services import stale  # services closes these cases, so it imports this module

    publication = Publication.objects.filter(record_id=record.pk, is_public=True).first()
    if publication is None:
        return
    if record.status == RecordStatus.REVOKED:
        why = "已公示的处罚决定被撤销"
    elif record.status in SHOWN_STATUSES and stale(publication, record):
        why = "已公示的处罚决定被更正"
    else:
        return
    if workflow.open_cases_for(WITHDRAWAL.code, [record]).exists():
        return
    workflow.open_case(WITHDRAWAL.code, debtor_org=record.issuing_org, owed_to="社会公众（公开网站）", basis=record,
                       basis_text=f"{record.decision_number}：{BASIS}", reason=why)


def open_withdrawals(records: list[CreditRecord]) -> None:
    """:func:`open_withdrawal` for many records at once (an intake batch's corrections, which are written
    in bulk without ``post_save``): one query finds those on the portal."""
    public = set(Publication.objects.filter(record_id__in=[r.pk for r in records], is_public=True)
                 .values_list("record_id", flat=True))
    for record in records:
        if record.pk in public:
            open_withdrawal(record)


def record_saved(sender: type[CreditRecord], instance: CreditRecord, created: bool, **kwargs: Any) -> None:
    """``post_save`` of a record: runs inside the transaction that revoked or corrected it
    (``archive.change_status``, ``archive.correct_record``); a new record has no publication yet."""
    if not created:
        open_withdrawal(instance)


def close_withdrawn(records: list[CreditRecord]) -> int:
    """Close the open cases of records whose publication the portal job has just withdrawn."""
    return workflow.close_for_basis(WITHDRAWAL.code, records, WITHDRAWN, "公开网站已撤下公示并说明理由")


def close_updated(records: list[CreditRecord]) -> int:
    """Close the open cases of records whose publication the portal job has just brought up to date."""
    return workflow.close_for_basis(WITHDRAWAL.code, records, UPDATED, "公开网站已按更正后的决定更新公示")
