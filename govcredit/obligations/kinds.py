"""The obligation kinds: what each kind of obligation is called, which dishonesty record its breach
becomes, how long before its due date it counts as due soon, and its default grace period.

An app that owes something of its own kind (PPP duties, investment promises) registers it from its
``apps.py`` ``ready()`` with :func:`register_kind`; registering a code again replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

PROCUREMENT_PAYMENT = "procurement.payment"
PPP_DUTY = "ppp.duty"
INVESTMENT_PROMISE = "investment.promise"

TQZK = "tqzk"  # 拖欠中小企业账款
WYHY = "wyhy"  # 违约毁约


@dataclass(frozen=True)
class ObligationKind:
    code: str
    label: str  # Chinese (stored nowhere; shown with {% translate %})
    record_type: str  # catalog code of the dishonesty record a breach becomes
    due_soon_days: int = 7  # calendar days before the due date from which it is 即将到期
    grace_days: int = 0  # default grace period (calendar days) after the due date before a candidate
    sme_record_type: str = ""  # where the creditor is an SME, this record type instead (K1: 拖欠中小企业账款)

    def record_type_for(self, creditor_is_sme: bool) -> str:
        return self.sme_record_type if creditor_is_sme and self.sme_record_type else self.record_type


_KINDS: dict[str, ObligationKind] = {}


def register_kind(kind: ObligationKind) -> ObligationKind:
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> ObligationKind:
    return _KINDS[code]


def all_kinds() -> list[ObligationKind]:
    return list(_KINDS.values())


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return kind.label if kind else code


DEFAULT_KINDS = (
    ObligationKind(PROCUREMENT_PAYMENT, gettext_noop("政府采购付款"), WYHY, due_soon_days=7, grace_days=0,
                   sme_record_type=TQZK),
    ObligationKind(PPP_DUTY, gettext_noop("PPP项目政府方义务"), WYHY, due_soon_days=15, grace_days=0),
    ObligationKind(INVESTMENT_PROMISE, gettext_noop("招商引资承诺"), WYHY, due_soon_days=30, grace_days=0),
)
