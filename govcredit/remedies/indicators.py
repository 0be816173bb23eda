"""Objections, their outcomes and credit repairs per month as indicators (registered in ``apps.py``): one
aggregate query each, grouped by the subject (district or city department) that issued the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth

from govcredit.indicators.registry import Behind, Computation, Row, Subjects, month_end, subject_path
from govcredit.subjects.models import Organization

from .models import Objection, Repair
from .workflow import CORRECTED, REPAIRED, REVOKED


def _grouped(qs: Any, moment: str, months: list[dt.date], **counts: Any) -> dict[tuple[str, dt.date], dict[str, int]]:
    rows = (qs.filter(**{f"{moment}__date__gte": months[0], f"{moment}__date__lte": month_end(months[-1])})
            .annotate(s=subject_path("record__issuing_org__path"), m=TruncMonth(moment, output_field=DateField()))
            .values("s", "m").annotate(**counts).order_by())
    return {(str(r["s"]), r["m"]): {k: int(r[k]) for k in counts} for r in rows}


def _rows(months: list[dt.date], subjects: Subjects, found: dict[tuple[str, dt.date], dict[str, int]],
          numerator: str, denominator: str | None, inputs: dict[str, str]) -> list[Row]:
    by_subject = {(subjects.of(s), m): v for (s, m), v in found.items()}
    rows: list[Row] = []
    for sid in subjects.by_path.values():
        for month in months:
            v = by_subject.get((sid, month), {})
            rows.append((sid, month, v.get(numerator, 0), None if denominator is None else v.get(denominator, 0),
                         {label: v.get(key, 0) for key, label in inputs.items()}))
    return rows


def objections(months: list[dt.date], subjects: Subjects) -> list[Row]:
    found = _grouped(Objection.objects.all(), "created_at", months, n=Count("pk"))
    return _rows(months, subjects, found, "n", None, {"n": "异议申请"})


def upheld(months: list[dt.date], subjects: Subjects) -> list[Row]:
    found = _grouped(Objection.objects.filter(decided_at__isnull=False), "decided_at", months, decided=Count("pk"),
                     changed=Count("pk", filter=Q(outcome__in=[CORRECTED, REVOKED])))
    return _rows(months, subjects, found, "changed", "decided", {"changed": "更正或撤销", "decided": "办结异议"})


def repairs(months: list[dt.date], subjects: Subjects) -> list[Row]:
    found = _grouped(Repair.objects.all(), "created_at", months, n=Count("pk"),
                     repaired=Count("pk", filter=Q(outcome=REPAIRED)))
    return _rows(months, subjects, found, "n", None, {"n": "修复申请", "repaired": "已修复"})


def objections_behind(org: Organization, month: dt.date) -> list[Behind]:
    return [Behind(f"{o.number} {o.get_ground_display()} {o.outcome or o.case.status}", "remedies:objection_detail",
                   (o.pk,)) for o in Objection.objects.filter(
        record__issuing_org__path__startswith=org.path, created_at__date__gte=month,
        created_at__date__lte=month_end(month)).select_related("case").order_by("pk")[:50]]


def repairs_behind(org: Organization, month: dt.date) -> list[Behind]:
    return [Behind(f"{r.number} {r.outcome or r.case.status}", "remedies:repair_detail", (r.pk,))
            for r in Repair.objects.filter(record__issuing_org__path__startswith=org.path, created_at__date__gte=month,
                                           created_at__date__lte=month_end(month)).select_related("case")
            .order_by("pk")[:50]]


OBJECTIONS = Computation("objections", "当月异议申请数", objections, records=objections_behind)
UPHELD = Computation("objections_upheld_rate", "当月办结异议中更正或撤销的比例", upheld, kind="ratio",
                     records=objections_behind)
REPAIRS = Computation("repairs", "当月信用修复申请数", repairs, records=repairs_behind)
