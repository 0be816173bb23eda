"""The duties and promises in the generic obligations register (app ``obligations``).

Every PPP duty and investment promise with a due date is registered there as an ``Obligation`` (kinds
``ppp.duty`` and ``investment.promise``), which brings the daily overdue job, the breach candidates (违约毁约,
for the organisation and the person responsible, confirmed or dismissed by the credit office, never
automatic) and the department and city views. This module is the only place that talks to that register.

The obligation names the responsible *post*, not a person: the register finds whoever held the post on the
missed due date from the post history, so a candidate names the person responsible at the time even after
he moved on. A duty is owed by the organisation responsible for its stage; a promise by the organisation
that made it, whoever leads it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from govcredit.ledger.services import Actor
from govcredit.obligations import services as register
from govcredit.obligations.kinds import INVESTMENT_PROMISE, PPP_DUTY
from govcredit.obligations.models import OWED, Obligation

from .models import Duty, Promise

WAN = Decimal(10000)  # the register keeps 元; projects and promises are entered in 万元


def _yuan(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount * WAN


def obligation_of(row: Duty | Promise) -> Obligation | None:
    return register.obligations_for(row).order_by("pk").first()


def _owed(row: Duty | Promise) -> Obligation | None:
    ob = obligation_of(row)
    return ob if ob is not None and ob.status in OWED else None


def register_duty(duty: Duty, actor: Actor) -> Obligation:
    project, stage = duty.project, duty.stage
    return register.register_obligation(
        PPP_DUTY, reference=f"{project.number}-{duty.pk}", title=f"{project.name}：{duty.title}"[:300],
        debtor_org=stage.responsible_org, due_on=duty.due_on, creditor_name=project.partner_name or project.name,
        creditor_code=project.partner_code, amount=_yuan(duty.amount), responsible_post=stage.responsible_post,
        basis=duty, basis_text=duty.basis, actor=actor, reason=_("登记PPP项目政府方义务"))


def settle_duty(duty: Duty, actor: Actor) -> None:
    ob = _owed(duty)
    if ob is not None:
        register.fulfil_obligation(ob, actor=actor, reason=duty.note or _("已履行"), on=duty.done_on)


def register_promise(promise: Promise, actor: Actor) -> str:
    """Register the promise and issue the investor's query code (shown once)."""
    ob = register.register_obligation(
        INVESTMENT_PROMISE, reference=promise.number, title=f"{promise.kind}：{promise.terms}"[:300],
        debtor_org=promise.org, due_on=promise.due_on, creditor_name=promise.investor_name,
        creditor_code=promise.investor_code, creditor_is_person=not promise.investor_code,
        amount=_yuan(promise.amount), responsible_post=promise.responsible_post, basis=promise,
        basis_text=f"{promise.legal_basis}；{promise.document}", actor=actor, reason=_("登记招商引资承诺"))
    return register.issue_query_code(ob, actor=actor)


def keep_promise(promise: Promise, actor: Actor, reason: str) -> None:
    ob = _owed(promise)
    if ob is not None:
        register.fulfil_obligation(ob, actor=actor, reason=reason, on=promise.kept_on)


def end_promise(promise: Promise, actor: Actor, reason: str) -> None:
    ob = _owed(promise)
    if ob is not None:
        register.cancel_obligation(ob, actor=actor, reason=reason)


def reschedule_promise(promise: Promise, actor: Actor, reason: str) -> None:
    """The promise's obligation follows a lawful change (new due date, amount, terms; ``reason`` names the
    legal basis and the procedure)."""
    ob = _owed(promise)
    if ob is not None:
        register.change_obligation(ob, actor=actor, reason=reason, due_on=promise.due_on,
                                   amount=_yuan(promise.amount), title=f"{promise.kind}：{promise.terms}"[:300])


def find_promise(number: str, code: str) -> Promise | None:
    """The promise whose obligation has this reference and query code; None for any mismatch."""
    ob = register.find_by_code(number.strip().upper(), code)
    if ob is None or ob.kind != INVESTMENT_PROMISE or ob.basis_id is None:
        return None
    return Promise.objects.select_related("org").filter(pk=ob.basis_id, number=ob.reference).first()
