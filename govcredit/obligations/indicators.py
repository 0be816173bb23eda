"""Overdue payments to small and medium-sized suppliers at each month's end as indicators (issue 15, K1;
registered in ``apps.py``): one aggregate query per month over the obligations owed to SMEs, grouped by the
owing subject (its district or city department)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from govcredit.indicators.registry import Behind, Computation, Row, Subjects, month_end, subject_path
from govcredit.subjects.models import Organization

from .models import Obligation, ObligationStatus

TEN_THOUSAND = Decimal(10000)


def _overdue_at_end(end: dt.date) -> Q:
    """Owed to an SME, its due date passed before ``end`` and not paid by then (whenever the daily job
    noticed it; a lawfully cancelled obligation was never owed)."""
    return (Q(creditor_is_sme=True, due_on__lt=end) & ~Q(status=ObligationStatus.CANCELLED)
            & (Q(closed_on__isnull=True) | Q(closed_on__gt=end)))


def _overdue(months: list[dt.date], subjects: Subjects) -> dict[tuple[int, dt.date], tuple[int, Decimal]]:
    out: dict[tuple[int, dt.date], tuple[int, Decimal]] = {}
    for month in months:
        for r in (Obligation.objects.filter(_overdue_at_end(month_end(month)))
                  .annotate(s=subject_path("debtor_org__path")).values("s")
                  .annotate(n=Count("pk"), amount=Sum("amount")).order_by()):
            sid = subjects.of(str(r["s"]))
            if sid is not None:
                out[(sid, month)] = (int(r["n"]), (r["amount"] or Decimal(0)) / TEN_THOUSAND)
    return out


def count_rows(months: list[dt.date], subjects: Subjects) -> list[Row]:
    found = _overdue(months, subjects)
    return [(sid, month, found.get((sid, month), (0, Decimal(0)))[0], None, {"月末": f"{month_end(month):%Y-%m-%d}"})
            for sid in subjects.by_path.values() for month in months]


def amount_rows(months: list[dt.date], subjects: Subjects) -> list[Row]:
    found = _overdue(months, subjects)
    return [(sid, month, found.get((sid, month), (0, Decimal(0)))[1].quantize(Decimal("0.0001")), None,
             {"月末": f"{month_end(month):%Y-%m-%d}"})
            for sid in subjects.by_path.values() for month in months]


def behind(org: Organization, month: dt.date) -> list[Behind]:
    rows = (Obligation.objects.filter(_overdue_at_end(month_end(month)), debtor_org__path__startswith=org.path)
            .select_related("debtor_org").order_by("due_on", "pk")[:50])
    return [Behind(f"{o.reference} {o.debtor_org.name} {o.amount or 0} 元，到期 {o.due_on:%Y-%m-%d}",
                   "obligations:detail", (o.pk,)) for o in rows]


OVERDUE_COUNT = Computation("overdue_payments", "月末逾期未付中小企业款项笔数", count_rows, records=behind)
OVERDUE_AMOUNT = Computation("overdue_payment_amount", "月末逾期未付中小企业款项金额（万元）", amount_rows, records=behind)
