"""Demo procurement contracts in every state, written through the services (``govcredit demo-data``).

Departments of the demo city buy from suppliers (SMEs by their declaration, one a natural person): a payment
not yet due, one due soon, one overdue within its grace period, one overdue across the Spring Festival with
a candidate waiting for the credit office, one paid on time, one paid late whose candidate the credit office
confirmed (records in the archive, measures from the sanctions rules), one dismissed with a reason, a staged
settlement not yet confirmed, an inspection the buyer is delaying, a cancelled payment, and a supplier's
complaint. The daily job runs once at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from govcredit.accounts.models import Role, User
from govcredit.core import clock
from govcredit.core.demo import DemoRun
from govcredit.subjects.identifiers import make_credit_code
from govcredit.subjects.models import CivilServant, Organization

from .models import BreachCandidate, Contract, MilestoneRule
from .procurement import MilestoneSpec, record_delivery, record_payment, register_contract
from .services import (
    cancel_obligation,
    confirm_candidate,
    dismiss_candidate,
    issue_query_code,
    mark_obligations,
)
from .workflow import file_complaint

ACTOR = "demo"
SUPPLIERS = ["南京云启信息科技有限公司", "南京匠心装饰工程有限公司", "南京绿洲环境服务有限公司", "南京木作家具有限公司",
             "南京惠民物业管理有限公司", "南京启航教育咨询有限公司", "南京安达交通设施有限公司", "南京金陵印务有限公司"]


def _spring_festival_delivery(today: dt.date) -> dt.date:
    """A delivery whose 30th day falls in the last Spring Festival holiday before ``today`` (so the payment is
    due on the first working day after it)."""
    return dt.date(2026, 1, 16) if today >= dt.date(2026, 3, 15) else dt.date(2024, 12, 30)


def build(run: DemoRun) -> Mapping[str, int]:
    today = clock.today()
    credit = User.objects.filter(role=Role.CREDIT_OFFICE, is_active=True, organization__isnull=False).order_by("pk").first()
    buyers: list[Organization] = list(Organization.objects.filter(org_type="机关", parent__isnull=False).order_by("pk")[:6])
    if credit is None or not buyers:
        return {}
    rng = run.rng("obligations")
    people = {p.employer_id: p for p in CivilServant.objects.filter(employer__in=buyers).order_by("pk")}
    serial = 0

    def contract(buyer: Organization, days_ago: int | None, *, amount: str = "120000", grace: int = 0,
                 rule: str = MilestoneRule.DELIVERY.value, inspection: int | None = None,
                 delivered: dt.date | None = None, person: bool = False) -> Contract:
        nonlocal serial
        serial += 1
        name = "张建国" if person else SUPPLIERS[serial % len(SUPPLIERS)]
        day = delivered or (today - dt.timedelta(days=days_ago) if days_ago is not None else None)
        return register_contract(
            number=f"DEMO-CG-{today.year}-{serial:03d}", name=rng.choice(["政务云服务", "办公家具", "社区绿化养护",
                                                                           "道路标线施工", "宣传品印制"]),
            buyer=buyer, supplier_name=name, supplier_code="" if person else make_credit_code("91", "320100", f"DM{serial:07d}"),
            supplier_is_sme=True, supplier_is_person=person, amount=Decimal(amount),
            signed_on=(day or today) - dt.timedelta(days=30), milestones=[MilestoneSpec("合同价款", Decimal(amount), rule)],
            actor=ACTOR, delivered_on=day, inspection_days=inspection, grace_days=grace,
            responsible_person=people.get(buyer.pk))

    def b(i: int) -> Organization:
        return buyers[i % len(buyers)]

    contract(b(0), 3)  # not yet due
    contract(b(1), 26)  # due soon
    contract(b(2), 40, grace=30)  # overdue, within its grace period
    festival = contract(b(3), None, delivered=_spring_festival_delivery(today), amount="86000")  # across the festival
    on_time = contract(b(4), 20)
    record_payment(on_time.milestones.get(), amount=Decimal("120000"), paid_on=today, actor=ACTOR)
    late = contract(b(5), 75, amount="64000")
    contract(b(0), 90, amount="38000", person=True)  # a natural person's payment, overdue
    dismissed = contract(b(1), 70, amount="22000")
    contract(b(2), 10, rule=MilestoneRule.SETTLEMENT.value)  # staged: amount not yet confirmed by both sides
    contract(b(3), 60, rule=MilestoneRule.INSPECTION.value, inspection=15)  # the buyer delays the inspection
    accepted = contract(b(4), 25, rule=MilestoneRule.INSPECTION.value, inspection=20)
    record_delivery(accepted, accepted_on=today - dt.timedelta(days=10), actor=ACTOR, reason="检验验收合格")
    dropped = contract(b(5), 5)
    dropped_ob = dropped.milestones.get().obligation
    if dropped_ob is not None:
        cancel_obligation(dropped_ob, actor=ACTOR, reason="合同经双方协商一致解除")
    result = mark_obligations(today)
    late_m = late.milestones.get()
    record_payment(late_m, amount=late_m.amount, paid_on=today, actor=ACTOR)
    decided = 0
    for c, confirm in ((late, True), (dismissed, False)):
        candidate = BreachCandidate.objects.filter(obligation__milestone__contract=c, status="待确认").first()
        if candidate is None:
            continue
        if confirm:
            confirm_candidate(candidate, actor=credit, severity="一般", reason="经核实，逾期支付中小企业货款")
        else:
            dismiss_candidate(candidate, actor=credit, reason="供应商未按约定提供发票，逾期非采购人原因")
        decided += 1
    festival_ob = festival.milestones.get().obligation
    complaints = 0
    if festival_ob is not None and festival_ob.is_owed:
        issue_query_code(festival_ob, actor=ACTOR)
        file_complaint(festival_ob, text="春节前交付的货款至今未付")
        complaints = 1
    return {"采购合同": serial, "失信候选": result.candidates, "已处理候选": decided, "投诉": complaints}
