"""The aggregate queries behind every figure: counts per (month, issuing organisation).

:func:`grouped_counts` aggregates the facts directly (any filter on them, any day); the refresh stores its
answer as :class:`~govcredit.statistics.models.MonthlyFigure` rows, which :func:`summary_counts` reads back
in the same shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from .models import DecisionFact, MonthlyFigure


def grouped_counts(facts: QuerySet[DecisionFact], today: dt.date) -> list[dict[str, Any]]:
    """One aggregate query: counts per (month, issuing organisation)."""
    due = Q(due=True)
    return list(
        facts.values("month", "issuing_org_id").order_by().annotate(
            n_total=Count("pk"),
            n_complete=Count("pk", filter=Q(complete=True)),
            n_due=Count("pk", filter=due),
            n_on_time=Count("pk", filter=due & Q(workdays__lte=F("limit_workdays"))),
            n_late_published=Count("pk", filter=due & Q(workdays__gt=F("limit_workdays"))),
            n_overdue_unpublished=Count("pk", filter=due & Q(published_on__isnull=True, last_on_time_day__lt=today)),
            n_pending=Count("pk", filter=due & Q(published_on__isnull=True, last_on_time_day__gte=today)),
            n_workdays_sum=Sum("workdays", filter=due & Q(published_on__isnull=False)),
            n_estimated=Count("pk", filter=Q(estimated=True)),
        )
    )


COUNTS = ("total", "complete", "due", "on_time", "late_published", "overdue_unpublished", "pending", "workdays_sum")
FIGURES = (*COUNTS, "estimated")


def summary_counts(scope: Q, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The same groups as :func:`grouped_counts`, read from the monthly figures (a few rows per month)."""
    return [{"month": m, "issuing_org_id": org, **{f"n_{name}": v for name, v in zip(FIGURES, values, strict=True)}}
            for m, org, *values in MonthlyFigure.objects.filter(scope, month__gte=start, month__lte=end)
            .values_list("month", "issuing_org_id", *FIGURES)]
