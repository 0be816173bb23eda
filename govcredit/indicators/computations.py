"""The computations the indicators app registers itself: dishonesty records per 100 staff (archive and
subjects, both below it) and the debt ratios (K5) from the entered debt values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth

from govcredit.archive.models import CreditRecord
from govcredit.catalog.models import Polarity
from govcredit.subjects.models import CivilServant, Organization, ServantStatus

from .models import IndicatorValue
from .registry import Behind, Computation, Row, Subjects, month_end, register_computation, subject_path


def _dishonest(months: list[dt.date]) -> Q:
    return Q(type_version__polarity=Polarity.DISHONEST, decision_date__gte=months[0],
             decision_date__lte=month_end(months[-1]))


def dishonesty(months: list[dt.date], subjects: Subjects) -> list[Row]:
    counts: dict[tuple[int, dt.date], int] = defaultdict(int)
    for column in ("subject_org__path", "subject_person__employer__path"):
        base = column.rsplit("__", 1)[0]
        for r in (CreditRecord.objects.filter(_dishonest(months), **{f"{base}__isnull": False})
                  .annotate(s=subject_path(column), m=TruncMonth("decision_date", output_field=DateField()))
                  .values("s", "m").annotate(n=Count("pk")).order_by()):
            sid = subjects.of(str(r["s"]))
            if sid is not None:
                counts[(sid, r["m"])] += int(r["n"])
    staff: dict[int, int] = defaultdict(int)
    for r in (CivilServant.objects.filter(status=ServantStatus.ACTIVE).annotate(s=subject_path("employer__path"))
              .values("s").annotate(n=Count("pk")).order_by()):
        sid = subjects.of(str(r["s"]))
        if sid is not None:
            staff[sid] += int(r["n"])
    return [(sid, month, counts.get((sid, month), 0), staff.get(sid, 0),
             {"失信记录": counts.get((sid, month), 0), "在职公务员": staff.get(sid, 0)})
            for sid in subjects.by_path.values() for month in months]


def dishonesty_behind(org: Organization, month: dt.date) -> list[Behind]:
    qs = (CreditRecord.objects.filter(_dishonest([month]))
          .filter(Q(subject_org__path__startswith=org.path) | Q(subject_person__employer__path__startswith=org.path))
          .select_related("record_type").order_by("decision_date", "pk")[:50])
    return [Behind(f"{r.record_type.name} {r.decision_number} {r.decision_date:%Y-%m-%d}", "archive:record_detail",
                   (r.pk,)) for r in qs]


def _values(codes: tuple[str, ...], months: list[dt.date]) -> dict[tuple[int, dt.date], dict[str, tuple[int, Decimal | None]]]:
    out: dict[tuple[int, dt.date], dict[str, tuple[int, Decimal | None]]] = defaultdict(dict)
    for pk, code, sid, period, value in IndicatorValue.objects.filter(
            indicator__code__in=codes, period__in=months, is_current=True).values_list(
            "pk", "indicator__code", "subject_id", "period", "value"):
        out[(sid, period)][code] = (pk, value)
    return out


def _debt(numerator: str, denominator: str) -> Computation:
    def compute(months: list[dt.date], subjects: Subjects) -> list[Row]:
        found = _values((numerator, denominator), months)
        rows: list[Row] = []
        for (sid, month), v in found.items():
            num, den = v.get(numerator), v.get(denominator)
            rows.append((sid, month, num[1] if num else None, den[1] if den else None,
                         {"values": [x[0] for x in (num, den) if x], numerator: str(num[1]) if num else None,
                          denominator: str(den[1]) if den else None}))
        return rows

    def behind(org: Organization, month: dt.date) -> list[Behind]:
        return [Behind(f"{v.indicator.name} {v.value} 第{v.version}版", "indicators:value", (v.pk,))
                for v in IndicatorValue.objects.filter(subject=org, period=month, is_current=True,
                                                       indicator__code__in=(numerator, denominator))
                .select_related("indicator")]
    return Computation("", "", compute, kind="derived", records=behind)


DEBT_RATIOS = {
    "debt_ratio": ("debt_balance", "fiscal_capacity", "债务率 = 债务余额 / 综合财力"),
    "new_debt_ratio": ("new_debt", "fiscal_capacity", "新增债务率 = 新增债务额 / 综合财力"),
    "debt_service_ratio": ("debt_service", "fiscal_capacity", "偿债率 = 还本付息额 / 综合财力"),
    "overdue_debt_ratio": ("overdue_debt", "debt_balance", "逾期债务率 = 逾期债务额 / 债务余额"),
}


def register_all() -> None:
    register_computation(Computation("dishonesty_per_100", "失信记录数 / 在职公务员数 × 100", dishonesty,
                                     kind="per100", records=dishonesty_behind))
    for code, (num, den, label) in DEBT_RATIOS.items():
        base = _debt(num, den)
        register_computation(Computation(code, label, base.compute, kind="derived", records=base.records))
