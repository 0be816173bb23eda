"""The indicators' part of the demo city: two years of monthly debt values and complaints per district, with
districts in every warning level and one (the first) that goes green → red → green; then the computed
indicators and the warnings for the 24 months, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from govcredit.core.demo import DemoRun
from govcredit.subjects.models import Organization

from . import registry, services
from .dashboard import is_district
from .models import Indicator

# Each district's usual 债务率 (%): green, yellow, orange and red ones; the first moves (see mover_ratio).
BASE_RATIOS = (95, 80, 110, 135, 160, 215, 260, 330, 70, 125, 205, 90)
OVERDUE = {5: 14, 6: 26, 7: 56}  # 逾期债务率 (%) of some districts: yellow, orange, red


def mover_ratio(i: int, n: int) -> int:
    """Green for the first third, rising to red (≥ 300%) in the middle, back to green at the end."""
    third = n // 3
    if i < third:
        return 95
    if i < 2 * third:
        return min(340, 95 + (i - third + 1) * 45)
    return max(90, 340 - (i - 2 * third + 1) * 60)


def build(run: DemoRun) -> Mapping[str, int]:
    services.load_defaults()
    rng = run.rng("indicators")
    months = registry.months_back(run.today, 24)
    inds = {i.code: i for i in Indicator.objects.all()}
    districts = [o for o in Organization.objects.filter(depth=1, is_active=True).order_by("region_code", "path")
                 if is_district(o)]
    rows: list[tuple[Indicator, int, object, Decimal | None]] = []
    for d, org in enumerate(districts):
        capacity = Decimal(800_000 + 60_000 * d)
        for i, month in enumerate(months):
            pct = mover_ratio(i, len(months)) if d == 0 else BASE_RATIOS[d % len(BASE_RATIOS)] + rng.randint(-4, 4)
            balance = (capacity * pct / 100).quantize(Decimal(1))
            overdue_pct = OVERDUE.get(d, rng.randint(1, 6))
            new_debt = (capacity * Decimal(rng.randint(10, 30)) / 1000).quantize(Decimal(1))
            figures = {
                "fiscal_capacity": capacity, "debt_balance": balance,
                "overdue_debt": (balance * overdue_pct / 100).quantize(Decimal(1)),
                "new_debt": new_debt, "debt_used": (new_debt * Decimal("0.9")).quantize(Decimal(1)),
                "debt_service": (capacity * Decimal(rng.randint(8, 20)) / 1000).quantize(Decimal(1)),
                "debt_repaid": (capacity * Decimal(rng.randint(5, 15)) / 1000).quantize(Decimal(1)),
                "complaints": Decimal(rng.randint(0, 25)),
            }
            rows += [(inds[code], org.pk, month, value) for code, value in figures.items()]
    entered = services.bulk_enter(rows, actor="demo-data", source_detail={"file": "演示数据"})  # type: ignore[arg-type]
    computed = services.compute(months)
    evaluated = services.evaluate(months)
    return {"填报的指标数值": entered, "计算的指标数值": computed.written, "预警": evaluated.opened,
            "已解除预警": evaluated.closed}
