"""The steps a buying department's data officer enters on the contract pages that ``procurement.py`` does
not have as a service of its own. Everything changes through the ledger, as there.

* **Inspection delayed** (:func:`record_inspection_delay`): the goods were delivered, the contract agrees an
  inspection period, and the buyer has not passed inspection by its end. 条例 第十条: the payment period then
  counts from the end of that period. The rule itself is ``procurement.period_start``; this step makes the
  due dates follow it now (a ledger entry per milestone moved, with the reason), instead of waiting for the
  next change of the contract.
* **Inspection period lapsed, noticed by the daily job** (:func:`refresh_lapsed_inspections`, run by
  ``services.run_daily`` before the obligations are marked): nobody has to record the delay. One query finds
  the contracts delivered, not accepted, whose agreed period ended before today and which still have an
  unpaid inspection milestone without the due date the lapse gives; each goes through
  :func:`record_inspection_delay` (actor ``system``), so the entries are the same as when a person records it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F, Func, IntegerField, Q
from django.utils.translation import gettext as _

from govcredit.core import clock
from govcredit.core.errors import DomainError
from govcredit.ledger.services import Actor

from .models import Contract, Milestone, MilestoneRule
from .procurement import refresh_due_dates
from .services import SYSTEM, ObligationError

logger = logging.getLogger("govcredit.jobs")

REASON_DELAYED = "采购人未在约定期限内检验验收，付款期限自约定验收期限届满之日起算"
REASON_LAPSED = "约定的检验验收期限已届满，采购人未检验验收，付款期限自约定验收期限届满之日起算"
# A due date rolled to a working day lies at most this many days after the period's last day (the longest run of
# holidays and rest days, the Spring Festival, is 9 days): a later or earlier one does not reflect the lapse.
MAX_ROLL_DAYS = 20
EPOCH = dt.date(1970, 1, 1)


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


class EpochDay(Func):
    """A date column as the number of days since 1970-01-01, so that day counts can be added to it in SQL alike
    on PostgreSQL (``date - date`` is an integer) and SQLite (``julianday``)."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '1970-01-01')"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
                           **extra)


def lapsed_inspection_contracts(today: dt.date) -> list[int]:
    """Ids of the contracts delivered, not accepted, whose agreed inspection period ended before ``today``, with an
    unpaid milestone paid after inspection that has no due date or one outside the days the lapse can give it
    (the period's end + the payment days, rolled to a working day). One query over the unpaid inspection
    milestones; once their due dates follow the lapse a contract is no longer found."""
    lapse = EpochDay("contract__delivered_on") + F("contract__inspection_days")
    base = lapse + F("contract__payment_days")
    rows = (Milestone.objects
            .filter(rule=MilestoneRule.INSPECTION, paid_on__isnull=True, contract__accepted_on__isnull=True,
                    contract__delivered_on__isnull=False, contract__inspection_days__isnull=False)
            .alias(lapse=lapse, base=base, due=EpochDay("due_on"))
            .filter(lapse__lt=(today - EPOCH).days)
            .filter(Q(due_on__isnull=True) | Q(due__lt=F("base")) | Q(due__gt=F("base") + MAX_ROLL_DAYS))
            .values_list("contract_id", flat=True).distinct().order_by("contract_id"))
    return list(rows)


def refresh_lapsed_inspections() -> dict[str, int]:
    """Daily: the due dates of the contracts whose agreed inspection period lapsed without inspection follow the
    lapse, each contract through :func:`record_inspection_delay` in its own transaction (actor ``system``, reason
    :data:`REASON_LAPSED`). Idempotent: a contract done is not found again. A contract the rules refuse now (its
    state changed since it was found) is counted and left for the next run."""
    done = moved = refused = 0
    for contract in Contract.objects.filter(pk__in=lapsed_inspection_contracts(clock.today())).order_by("pk"):
        try:
            changed = record_inspection_delay(contract, actor=SYSTEM, reason=REASON_LAPSED)
        except DomainError as e:
            logger.warning("contract %s: inspection lapse not applied: %s", contract.pk, e)
            refused += 1
            continue
        done += 1
        moved += len(changed)
    return {"inspection_lapsed": done, "inspection_milestones": moved, "inspection_refused": refused}
