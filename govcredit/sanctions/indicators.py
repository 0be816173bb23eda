"""Open and overdue rectifications at each month's end as indicators (registered in ``apps.py``): one
aggregate query per month over the rectification cases, grouped by the owing subject."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from govcredit.indicators.registry import Behind, Computation, Row, Subjects, month_end, subject_path
from govcredit.subjects.models import Organization
from govcredit.workflow.models import Case

from .workflow import RECTIFICATION


def _counts(months: list[dt.date], subjects: Subjects) -> dict[tuple[int, dt.date], tuple[int, int]]:
    out: dict[tuple[int, dt.date], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for month in months:
        end = month_end(month)
        open_at_end = Q(opened_on__lte=end) & (Q(closed_at__isnull=True) | Q(closed_at__date__gt=end))
        for r in (Case.objects.filter(open_at_end, kind=RECTIFICATION.code, debtor_org__isnull=False)
                  .annotate(s=subject_path("debtor_org__path")).values("s")
                  .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=end))).order_by()):
            sid = subjects.of(str(r["s"]))
            if sid is not None:
                out[(sid, month)] = (int(r["n"]), int(r["late"]))
    return out


def _rows(months: list[dt.date], subjects: Subjects, at: int) -> list[Row]:
    counts = _counts(months, subjects)
    return [(sid, month, counts.get((sid, month), (0, 0))[at], None, {"月末": f"{month_end(month):%Y-%m-%d}"})
            for sid in subjects.by_path.values() for month in months]


def open_rows(months: list[dt.date], subjects: Subjects) -> list[Row]:
    return _rows(months, subjects, 0)


def overdue_rows(months: list[dt.date], subjects: Subjects) -> list[Row]:
    return _rows(months, subjects, 1)


def behind(org: Organization, month: dt.date) -> list[Behind]:
    end = month_end(month)
    cases = (Case.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=end), kind=RECTIFICATION.code,
                                 opened_on__lte=end, debtor_org__path__startswith=org.path)
             .select_related("debtor_org").order_by("due_on")[:50])
    return [Behind(f"#{c.pk} {c.debtor_org.name if c.debtor_org else ''} {c.status} 期限 {c.due_on:%Y-%m-%d}",
                   ) for c in cases]


OPEN = Computation("rectifications_open", "月末未办结整改事项", open_rows, records=behind)
OVERDUE = Computation("rectifications_overdue", "月末逾期未办结整改事项", overdue_rows, records=behind)
