"""Obligations for the tests: registered through the services, as the application registers them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from govcredit.obligations.kinds import PROCUREMENT_PAYMENT
from govcredit.obligations.models import Obligation
from govcredit.obligations.services import register_obligation
from govcredit.subjects.models import CivilServant, Organization

_serial = count(1)


def owe(org: Organization, due_on: dt.date, *, amount: str = "120000", kind: str = PROCUREMENT_PAYMENT,
        sme: bool = True, person: CivilServant | None = None, grace_days: int | None = None,
        reference: str = "") -> Obligation:
    return register_obligation(
        kind, reference=reference or f"T-{next(_serial):06d}", title="办公设备采购尾款", debtor_org=org, due_on=due_on,
        creditor_name="南京某某科技有限公司", creditor_code="91320100MA1XXXXX0X"[:18], creditor_is_sme=sme,
        amount=Decimal(amount), responsible_person=person, grace_days=grace_days, actor="test",
        basis_text="《保障中小企业款项支付条例》第九条")
