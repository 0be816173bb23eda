"""The steps a buying department's data officer enters on the contract pages that ``procurement.py`` does
not have as a service of its own. Everything changes through the ledger, as there.

* **Inspection delayed** (:func:`record_inspection_delay`): the goods were delivered, the contract agrees an
  inspection period, and the buyer has not passed inspection by its end. 条例 第十条: the payment period then
  counts from the end of that period. The rule itself is ``procurement.period_start``; this step makes the
  due dates follow it now (a ledger entry per milestone moved, with the reason), instead of waiting for the
  next change of the contract.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from govcredit.core import clock
from govcredit.ledger.services import Actor

from .models import Contract, Milestone, MilestoneRule
from .procurement import refresh_due_dates
from .services import ObligationError

REASON_DELAYED = "采购人未在约定期限内检验验收，付款期限自约定验收期限届满之日起算"


def inspection_deadline(contract: Contract) -> dt.date | None:
    """The last day of the agreed inspection period; None without a delivery or an agreed period."""
    if contract.delivered_on is None or contract.inspection_days is None:
        return None
    return contract.delivered_on + dt.timedelta(days=contract.inspection_days)


@transaction.atomic
def record_inspection_delay(contract: Contract, *, actor: Actor, reason: str = "") -> list[Milestone]:
    """The buyer let the agreed inspection period pass without passing inspection: the milestones paid after
    inspection get their due dates from the end of that period. Refused before delivery, without an agreed
    period, once inspection is passed, and while the period is still running."""
    locked: Contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if not locked.milestones.filter(rule=MilestoneRule.INSPECTION).exists():
        raise ObligationError(_("该合同没有自检验验收合格之日起算的付款节点"), field="rule")
    if locked.accepted_on is not None:
        raise ObligationError(_("检验验收已合格，付款期限自合格之日起算"), field="accepted_on")
    if locked.delivered_on is None:
        raise ObligationError(_("尚未登记交付，不能认定拖延检验验收"), field="delivered_on")
    deadline = inspection_deadline(locked)
    if deadline is None:
        raise ObligationError(_("合同未约定检验验收期限"), field="inspection_days")
    if deadline >= clock.today():
        raise ObligationError(_("约定的检验验收期限至 %(date)s 届满，尚未拖延") % {"date": deadline.isoformat()},
                              field="date")
    return refresh_due_dates(locked, actor=actor, reason=reason.strip() or REASON_DELAYED)
