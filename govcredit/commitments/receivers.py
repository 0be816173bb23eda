"""When the credit office confirms a breach candidate of a PPP duty or an investment promise (in the
obligations register), the duty or promise itself becomes 已违约, in the same transaction and with its
own ledger entry. A candidate alone (not yet confirmed) changes nothing here: a breach is never automatic."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from govcredit.obligations.kinds import INVESTMENT_PROMISE, PPP_DUTY
from govcredit.obligations.models import BreachCandidate, CandidateStatus

from . import services
from .models import Duty, Promise


def candidate_saved(sender: type[BreachCandidate], instance: BreachCandidate, created: bool, **kwargs: Any) -> None:
    if instance.status != CandidateStatus.CONFIRMED:
        return
    ob = instance.obligation
    if ob.basis_id is None or ob.kind not in (PPP_DUTY, INVESTMENT_PROMISE):
        return
    actor: Any = instance.decided_by or "system"
    reason = _("信用办确认违约（失信候选 #%(pk)s）：%(reason)s") % {"pk": instance.pk, "reason": instance.reason}
    if ob.kind == PPP_DUTY:
        duty = Duty.objects.filter(pk=ob.basis_id).first()
        if duty is not None:
            services.mark_duty_breached(duty, actor=actor, reason=reason)
    else:
        promise = Promise.objects.filter(pk=ob.basis_id).first()
        if promise is not None:
            services.mark_promise_breached(promise, actor=actor, reason=reason)
