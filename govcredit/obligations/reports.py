"""Figures of the obligations register: each department's overdue SME payments of a year (the list published
by 31 March), the summary per department and the credit office's city ranking."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from govcredit.subjects.models import Organization

from .models import Milestone, Obligation, ObligationStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OverdueRow:
    org: Organization
    contracts: int
    amount: Decimal


def overdue_by_department(year: int, orgs: QuerySet[Organization] | None = None) -> list[OverdueRow]:
    """Contracts with SME suppliers whose payment was overdue and unpaid at the end of ``year`` (条例 第二十五条):
    per buyer, the number of such contracts and the amount then unpaid (payments made by 31 December count)."""
    end = dt.date(year, 12, 31)
    rows = (Milestone.objects.filter(contract__supplier_is_sme=True, due_on__lt=end + dt.timedelta(days=1))
            .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=end))
            .exclude(due_on__gte=end)  # due on 31 December itself is not yet overdue that year
            .annotate(paid_by=Coalesce(Sum("payments__amount", filter=Q(payments__paid_on__lte=end)),
                                       Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)))
            .values_list("contract__buyer_id", "contract_id", "amount", "paid_by"))
    if orgs is not None:
        rows = rows.filter(contract__buyer__in=orgs)
    per_org: dict[int, tuple[set[int], Decimal]] = defaultdict(lambda: (set(), ZERO))
    for buyer, contract, amount, paid in rows:
        left = amount - paid
        if left <= 0:
            continue
        ids, total = per_org[buyer]
        ids.add(contract)
        per_org[buyer] = (ids, total + left)
    names = Organization.objects.in_bulk(list(per_org))
    return sorted((OverdueRow(names[pk], len(ids), total) for pk, (ids, total) in per_org.items()),
                  key=lambda r: (-r.amount, r.org.name))


@dataclass(frozen=True)
class DepartmentSummary:
    org_id: int
    org_name: str
    open_count: int
    open_amount: Decimal
    soon_count: int
    soon_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    oldest_due: dt.date | None
    new_overdue_30: int  # trend: became overdue in the last 30 days
    fulfilled_30: int  # trend: fulfilled in the last 30 days


def _sum(status: str) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(status=status)), Value(ZERO),
                    output_field=DecimalField(max_digits=18, decimal_places=2))


def department_summary(obligations: QuerySet[Obligation], today: dt.date) -> list[DepartmentSummary]:
    """Per debtor organisation: open, due-soon and overdue counts and amounts, the oldest overdue due date,
    and the last 30 days' trend (new overdue, fulfilled); one query."""
    since = today - dt.timedelta(days=30)
    rows = (obligations.order_by().values("debtor_org_id", "debtor_org__name").annotate(
        open_count=Count("pk", filter=Q(status=ObligationStatus.OPEN)), open_amount=_sum(ObligationStatus.OPEN),
        soon_count=Count("pk", filter=Q(status=ObligationStatus.DUE_SOON)), soon_amount=_sum(ObligationStatus.DUE_SOON),
        overdue_count=Count("pk", filter=Q(status=ObligationStatus.OVERDUE)),
        overdue_amount=_sum(ObligationStatus.OVERDUE),
        oldest_due=Min("due_on", filter=Q(status=ObligationStatus.OVERDUE)),
        new_overdue_30=Count("pk", filter=Q(overdue_since__gte=since)),
        fulfilled_30=Count("pk", filter=Q(status=ObligationStatus.FULFILLED, closed_on__gte=since)),
    ))
    out = [DepartmentSummary(r["debtor_org_id"], r["debtor_org__name"], r["open_count"], r["open_amount"],
                             r["soon_count"], r["soon_amount"], r["overdue_count"], r["overdue_amount"],
                             r["oldest_due"], r["new_overdue_30"], r["fulfilled_30"]) for r in rows]
    return sorted(out, key=lambda s: (-s.overdue_amount, s.oldest_due or dt.date.max, s.org_name))


def oldest_age(summary: DepartmentSummary, today: dt.date) -> int:
    return (today - summary.oldest_due).days if summary.oldest_due else 0
