"""Government procurement payments (K1) under 《保障中小企业款项支付条例》 (国务院令第802号, 2025).

**When a payment is due** (:func:`period_start`, :func:`due_date`; 条例 第九、十条):

* from delivery (交付): the payment period counts from the day the goods, works or services were delivered;
* where payment follows inspection or acceptance (检验验收): from the day it was passed; if the buyer delays
  it beyond the agreed inspection period, from the end of that period (whichever comes first);
* staged settlements (履行进度结算、定期结算): from the day both sides confirmed the amount.

The period is 30 days unless the contract says otherwise, and at most 60 days for an SME supplier. Days are
calendar days (条例 says 日); when the last day is a statutory holiday or rest day the period ends on the
first working day after it (民法典 第二百零三条), so a payment due in the Spring Festival is due on the first
working day after it, by the State Council calendar (``workdays``).

**Late-payment interest** (:func:`interest`; 条例 第十八条): at the agreed rate, which may not be below the
one-year LPR at signing (an agreed rate below it is raised to it), else 0.05% a day, on the unpaid amount,
for each calendar day from the day after the due date to the day of payment (or today), in Decimal, rounded
to the fen at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from govcredit.core import clock
from govcredit.ledger.services import Actor, save_with_entry
from govcredit.subjects.models import CivilServant, Organization
from govcredit.workdays.services import is_workday

from .kinds import PROCUREMENT_PAYMENT
from .models import Contract, Invoice, Milestone, MilestoneRule, Obligation, Payment
from .services import ObligationError, change_obligation, fulfil_obligation, register_obligation

DEFAULT_DAILY_RATE = Decimal("0.0005")  # 0.05% a day
DEFAULT_PAYMENT_DAYS = 30
MAX_SME_PAYMENT_DAYS = 60
CENT = Decimal("0.01")


# --- the rules, as pure functions --------------------------------------------------------------------

def period_start(contract: Contract, milestone: Milestone, today: dt.date) -> dt.date | None:
    """The day the milestone's payment period counts from; None while it cannot be known yet."""
    if milestone.rule == MilestoneRule.SETTLEMENT:
        return milestone.settled_on
    if milestone.rule == MilestoneRule.INSPECTION:
        if contract.delivered_on is None:
            return contract.accepted_on
        deadline = (contract.delivered_on + dt.timedelta(days=contract.inspection_days)
                    if contract.inspection_days is not None else None)
        if contract.accepted_on is not None:
            return min(contract.accepted_on, deadline) if deadline is not None else contract.accepted_on
        # Not accepted: once the agreed inspection period is over, the buyer is delaying it.
        return deadline if deadline is not None and deadline < today else None
    return contract.delivered_on


def roll_to_working_day(day: dt.date) -> dt.date:
    """A period whose last day is a holiday or rest day ends on the next working day (民法典 第203条)."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def due_date(start: dt.date, payment_days: int) -> dt.date:
    return roll_to_working_day(start + dt.timedelta(days=payment_days))


def daily_rate(contract: Contract) -> Decimal:
    """The daily late-payment rate: the agreed one, not below the one-year LPR at signing; else 0.05%."""
    if contract.agreed_daily_rate is None:
        return DEFAULT_DAILY_RATE
    rate = contract.agreed_daily_rate
    if contract.lpr_at_signing is not None:
        rate = max(rate, contract.lpr_at_signing / Decimal(365))
    return rate


@dataclass(frozen=True)
class InterestPeriod:
    start: dt.date  # first day that bears interest
    end: dt.date  # last day that bears interest
    principal: Decimal
    days: int
    interest: Decimal  # unrounded


def interest_periods(due_on: dt.date, amount: Decimal, payments: Sequence[tuple[dt.date, Decimal]],
                     until: dt.date, rate: Decimal) -> list[InterestPeriod]:
    """Interest on the unpaid balance, day by day from the day after ``due_on`` to ``until``: a payment on day
    d stops interest on its amount from d (the day of payment bears none)."""
    balance = amount
    periods: list[InterestPeriod] = []
    day = due_on + dt.timedelta(days=1)
    for paid_on, paid in sorted(payments):
        if paid_on <= due_on:
            balance -= paid
            continue
        stop = min(paid_on, until + dt.timedelta(days=1))
        if stop > day and balance > 0:
            days = (stop - day).days
            periods.append(InterestPeriod(day, stop - dt.timedelta(days=1), balance, days, balance * rate * days))
        day = max(day, stop)
        balance -= paid
        if paid_on > until:
            break
    end = until + dt.timedelta(days=1)
    if balance > 0 and end > day:
        days = (end - day).days
        periods.append(InterestPeriod(day, until, balance, days, balance * rate * days))
    return periods


def interest(due_on: dt.date | None, amount: Decimal, payments: Sequence[tuple[dt.date, Decimal]],
             until: dt.date, rate: Decimal) -> Decimal:
    if due_on is None:
        return Decimal("0.00")
    total = sum((p.interest for p in interest_periods(due_on, amount, payments, until, rate)), Decimal(0))
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def milestone_interest(milestone: Milestone, until: dt.date | None = None) -> Decimal:
    payments = [(p.paid_on, p.amount) for p in milestone.payments.all()]
    return interest(milestone.due_on, milestone.amount, payments, until or clock.today(), daily_rate(milestone.contract))


def contract_interest(contract: Contract, until: dt.date | None = None) -> Decimal:
    return sum((milestone_interest(m, until) for m in contract.milestones.all()), Decimal("0.00"))


# --- services ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MilestoneSpec:
    label: str
    amount: Decimal
    rule: str = MilestoneRule.DELIVERY.value


def _check_terms(supplier_is_sme: bool, payment_days: int) -> None:
    if payment_days < 1:
        raise ObligationError(_("付款期限须至少 1 日"), field="payment_days")
    if supplier_is_sme and payment_days > MAX_SME_PAYMENT_DAYS:
        raise ObligationError(_("向中小企业付款的期限最长不得超过 %(days)s 日（保障中小企业款项支付条例 第九条）")
                              % {"days": MAX_SME_PAYMENT_DAYS}, field="payment_days")


@transaction.atomic
def register_contract(*, number: str, name: str, buyer: Organization, supplier_name: str, amount: Decimal,
                      signed_on: dt.date, milestones: Sequence[MilestoneSpec], actor: Actor,
                      supplier_code: str = "", supplier_is_sme: bool = False, supplier_is_person: bool = False,
                      payment_days: int = DEFAULT_PAYMENT_DAYS, inspection_days: int | None = None,
                      agreed_daily_rate: Decimal | None = None, lpr_at_signing: Decimal | None = None,
                      responsible_person: CivilServant | None = None, delivered_on: dt.date | None = None,
                      accepted_on: dt.date | None = None, grace_days: int | None = None) -> Contract:
    """A contract with its payment milestones (each a ledger entry); a milestone whose period can be counted
    already becomes an obligation."""
    if Contract.objects.filter(number=number).exists():
        from govcredit.core.errors import Conflict

        raise Conflict(_("合同编号 %(number)s 已登记") % {"number": number}, field="number")
    _check_terms(supplier_is_sme, payment_days)
    if not milestones:
        raise ObligationError(_("请至少填写一个付款节点"), field="milestones")
    if sum((m.amount for m in milestones), Decimal(0)) > amount:
        raise ObligationError(_("付款节点金额合计超过合同金额"), field="milestones")
    now = clock.now()
    contract = Contract(number=number, name=name, buyer=buyer, responsible_person=responsible_person,
                        supplier_name=supplier_name, supplier_code=supplier_code, supplier_is_person=supplier_is_person,
                        supplier_is_sme=supplier_is_sme, amount=amount, signed_on=signed_on,
                        agreed_daily_rate=agreed_daily_rate, lpr_at_signing=lpr_at_signing, payment_days=payment_days,
                        inspection_days=inspection_days, delivered_on=delivered_on, accepted_on=accepted_on,
                        created_at=now, updated_at=now)
    save_with_entry(contract, actor=actor, action="procurement.contract.register", reason=("登记采购合同"))
    for seq, spec in enumerate(milestones, start=1):
        if spec.rule not in MilestoneRule.values:
            raise ObligationError(_("付款起算方式无效：%(rule)s") % {"rule": spec.rule}, field="rule")
        m = Milestone(contract=contract, seq=seq, label=spec.label, amount=spec.amount, rule=spec.rule,
                      created_at=now, updated_at=now)
        save_with_entry(m, actor=actor, action="procurement.milestone.register", reason=("登记付款节点"))
    refresh_due_dates(contract, actor=actor, reason=("登记采购合同"), grace_days=grace_days)
    return contract


def refresh_due_dates(contract: Contract, *, actor: Actor, reason: str, grace_days: int | None = None) -> list[Milestone]:
    """Give each unpaid milestone the due date the rules give it today, registering its obligation when it
    first has one and changing it (a ledger entry with the reason) when it moves."""
    today = clock.today()
    changed = []
    for m in contract.milestones.select_related("obligation").order_by("seq"):
        if m.paid_on is not None:
            continue
        start = period_start(contract, m, today)
        due = due_date(start, contract.payment_days) if start is not None else None
        if due == m.due_on:
            continue
        m.due_on, m.updated_at = due, clock.now()
        if due is not None and m.obligation is None:
            m.obligation = register_obligation(
                PROCUREMENT_PAYMENT, reference=f"{contract.number}-{m.seq}", title=f"{contract.name}：{m.label}",
                debtor_org=contract.buyer, due_on=due, creditor_name=contract.supplier_name,
                creditor_code=contract.supplier_code, creditor_is_person=contract.supplier_is_person,
                creditor_is_sme=contract.supplier_is_sme, amount=m.amount - m.paid_amount,
                responsible_person=contract.responsible_person, actor=actor, reason=reason, basis=m, grace_days=grace_days,
                basis_text=(f"《保障中小企业款项支付条例》第九、十条；合同 {contract.number} 第 {m.seq} 期"))
        elif due is not None and m.obligation is not None and m.obligation.is_owed:
            change_obligation(m.obligation, actor=actor, reason=reason, due_on=due)
        save_with_entry(m, actor=actor, action="procurement.milestone.change", reason=reason)
        changed.append(m)
    return changed


@transaction.atomic
def record_delivery(contract: Contract, *, delivered_on: dt.date | None = None, accepted_on: dt.date | None = None,
                    actor: Actor, reason: str = "") -> Contract:
    """Record delivery and/or passing inspection; the due dates follow."""
    locked: Contract = Contract.objects.select_for_update().get(pk=contract.pk)
    today = clock.today()
    for day in (delivered_on, accepted_on):
        if day is not None and day > today:
            raise ObligationError(_("日期不能晚于今天"), field="date")
    if delivered_on is not None:
        locked.delivered_on = delivered_on
    if accepted_on is not None:
        if locked.delivered_on is not None and accepted_on < locked.delivered_on:
            raise ObligationError(_("验收日期不能早于交付日期"), field="accepted_on")
        locked.accepted_on = accepted_on
    locked.updated_at = clock.now()
    save_with_entry(locked, actor=actor, action="procurement.contract.change", reason=reason or ("登记交付、验收"))
    refresh_due_dates(locked, actor=actor, reason=reason or ("登记交付、验收"))
    contract.refresh_from_db()
    return contract


@transaction.atomic
def confirm_settlement(milestone: Milestone, *, settled_on: dt.date, actor: Actor, amount: Decimal | None = None,
                       reason: str = "") -> Milestone:
    """Both sides confirmed the amount of a staged settlement on ``settled_on``: its period starts then."""
    locked: Milestone = Milestone.objects.select_for_update(of=("self",)).select_related("contract").get(pk=milestone.pk)
    if locked.rule != MilestoneRule.SETTLEMENT:
        raise ObligationError(_("该付款节点不按结算确认起算"), field="rule")
    if settled_on > clock.today():
        raise ObligationError(_("日期不能晚于今天"), field="settled_on")
    locked.settled_on, locked.updated_at = settled_on, clock.now()
    if amount is not None:
        locked.amount = amount
    save_with_entry(locked, actor=actor, action="procurement.milestone.change", reason=reason or ("双方确认结算金额"))
    refresh_due_dates(locked.contract, actor=actor, reason=reason or ("双方确认结算金额"))
    milestone.refresh_from_db()
    return milestone


@transaction.atomic
def record_invoice(contract: Contract, *, number: str, amount: Decimal, issued_on: dt.date, actor: Actor) -> Invoice:
    if issued_on > clock.today():
        raise ObligationError(_("开票日期不能晚于今天"), field="issued_on")
    if Invoice.objects.filter(contract=contract, number=number).exists():
        from govcredit.core.errors import Conflict

        raise Conflict(_("发票 %(number)s 已登记") % {"number": number}, field="number")
    invoice = Invoice(contract=contract, number=number, amount=amount, issued_on=issued_on, created_at=clock.now())
    save_with_entry(invoice, actor=actor, action="procurement.invoice", reason=("登记发票"))
    return invoice


@transaction.atomic
def record_payment(milestone: Milestone, *, amount: Decimal, paid_on: dt.date, actor: Actor, voucher: str = "") -> Payment:
    """A payment on a milestone; paid in full, its obligation is fulfilled on that day."""
    locked: Milestone = Milestone.objects.select_for_update(of=("self",)).select_related("obligation").get(pk=milestone.pk)
    if amount <= 0:
        raise ObligationError(_("付款金额须大于零"), field="amount")
    if paid_on > clock.today():
        raise ObligationError(_("支付日期不能晚于今天"), field="paid_on")
    if locked.paid_amount + amount > locked.amount:
        raise ObligationError(_("付款金额超过该节点未付金额 %(left)s 元") % {"left": locked.amount - locked.paid_amount},
                              field="amount")
    payment = Payment(milestone=locked, amount=amount, paid_on=paid_on, voucher=voucher, created_at=clock.now())
    save_with_entry(payment, actor=actor, action="procurement.payment", reason=("登记付款"))
    locked.paid_amount += amount
    if locked.paid_amount == locked.amount:
        locked.paid_on = paid_on
    locked.updated_at = clock.now()
    save_with_entry(locked, actor=actor, action="procurement.milestone.change", reason=("登记付款"))
    ob: Obligation | None = locked.obligation
    if ob is not None and ob.is_owed:
        if locked.paid_on is not None:
            fulfil_obligation(ob, actor=actor, on=paid_on, reason=("款项已付清"))
        else:
            change_obligation(ob, actor=actor, reason=("部分付款"), amount=locked.amount - locked.paid_amount)
    milestone.refresh_from_db()
    return payment
