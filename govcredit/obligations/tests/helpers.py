"""Obligations for the tests: registered through the services, as the application registers them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import TYPE_CHECKING

from govcredit.obligations.kinds import PROCUREMENT_PAYMENT
from govcredit.obligations.models import Obligation
from govcredit.obligations.services import register_obligation
from govcredit.subjects.models import CivilServant, Organization

if TYPE_CHECKING:
    from govcredit.testing import City

_serial = count(1)


def owe(org: Organization, due_on: dt.date, *, amount: str = "120000", kind: str = PROCUREMENT_PAYMENT,
        sme: bool = True, person: CivilServant | None = None, grace_days: int | None = None,
        reference: str = "") -> Obligation:
    return register_obligation(
        kind, reference=reference or f"T-{next(_serial):06d}", title="办公设备采购尾款", debtor_org=org, due_on=due_on,
        creditor_name="南京某某科技有限公司", creditor_code="91320100MA1XXXXX0X"[:18], creditor_is_sme=sme,
        amount=Decimal(amount), responsible_person=person, grace_days=grace_days, actor="test",
        basis_text="《保障中小企业款项支付条例》第九条")


def add_obligations(city: City) -> None:
    """For the access matrices: a procurement contract of 新街口街道 (玄武区) paid late past its grace period
    (``city.contract``), so it has an overdue obligation with a breach candidate, a query code
    (``city.obligation_code``) and the supplier's complaint about it, not yet forwarded (``city.complaint``)."""
    from govcredit.core import clock
    from govcredit.obligations.models import BreachCandidate
    from govcredit.obligations.procurement import MilestoneSpec, register_contract
    from govcredit.obligations.services import issue_query_code, mark_obligations
    from govcredit.obligations.workflow import file_complaint

    c = city
    today = clock.today()
    contract = register_contract(
        number="矩阵-HT-1", name="办公家具采购", buyer=c.orgs["xinjiekou"], supplier_name="南京木作家具有限公司",
        supplier_is_sme=True, amount=Decimal("80000"), signed_on=today - dt.timedelta(days=120),
        milestones=[MilestoneSpec("全款", Decimal("80000"))], actor="test", delivered_on=today - dt.timedelta(days=90),
        responsible_person=c.people["xuanwu"])
    mark_obligations(today)
    ob = contract.milestones.get().obligation
    assert ob is not None
    c.obligation = ob
    c.obligation_code = issue_query_code(ob, actor="test")
    c.candidate = BreachCandidate.objects.get(obligation=ob)
    c.contract = contract
    c.complaint = file_complaint(ob, text="家具款逾期未付")
