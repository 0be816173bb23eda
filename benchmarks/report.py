"""How every benchmark states a figure: beside its limit measured in the same run, the ratio, the goal."""

from __future__ import annotations


def beside_limit(label: str, figure: str, limit_label: str, limit: str, ratio: float, goal: str | None,
                 met: bool) -> bool:
    """Print one figure beside its limit and the ratio, and whether the goal is met (``goal`` None: reported
    only); return whether it is met."""
    print(f"{label}：{figure}")
    print(f"  极限（同次运行）{limit_label}：{limit}")
    verdict = f"目标 {goal}：{'达到' if met else '未达到'}" if goal else "无目标，仅报告"
    print(f"  比值 {ratio:.2f}，{verdict}")
    return met
