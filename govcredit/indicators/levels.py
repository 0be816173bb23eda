"""The pure rules of indicators: ratios that may have no value, and the level a value reaches under a rule
version. No database: the same inputs always give the same answer (a warning is reproducible from its
stored value and rule version)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .models import Direction, Level

HUNDRED = Decimal(100)
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Ratio:
    """A value, or ``None`` with the reason (never infinity, never a crash)."""

    value: Decimal | None
    reason: str = ""


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None, *, percent: bool = True,
          per: int | None = None) -> Ratio:
    """``numerator / denominator`` (× 100 for a percentage, × ``per`` for a rate per n); a zero or missing
    denominator or a missing numerator gives no value with the reason (stored Chinese, shown translated)."""
    if denominator is None:
        return Ratio(None, "分母缺失")
    if numerator is None:
        return Ratio(None, "分子缺失")
    d = Decimal(denominator)
    if d == 0:
        return Ratio(None, "分母为零")
    if d < 0:
        return Ratio(None, "分母为负数")
    scale = Decimal(per) if per is not None else (HUNDRED if percent else Decimal(1))
    return Ratio((Decimal(numerator) * scale / d).quantize(PLACES))


class Lines(Protocol):
    direction: str
    yellow: Decimal | None
    orange: Decimal | None
    red: Decimal | None


@dataclass(frozen=True)
class Crossing:
    level: int  # a Level
    line: Decimal | None  # the line the value reached (None for green)
    line_level: int | None


def assess(value: Decimal | None, lines: Lines) -> Crossing | None:
    """The level of ``value`` under ``lines``; None when there is no value.

    Upward rules (越高越差): a value at or above a line is at that line's level (债务率 300% is red, 299.99%
    orange). Downward rules (越低越差): a value below a line is at its level (a rate of exactly 95% with a
    yellow line of 95% is green)."""
    if value is None:
        return None
    order = ((Level.RED, lines.red), (Level.ORANGE, lines.orange), (Level.YELLOW, lines.yellow))
    for level, line in order:
        if line is None:
            continue
        crossed = value >= line if lines.direction == Direction.UP else value < line
        if crossed:
            return Crossing(int(level), line, int(level))
    return Crossing(int(Level.GREEN), None, None)


LEVEL_COLOURS = {-1: "#9ca3af", 0: "#15803d", 1: "#ca8a04", 2: "#ea580c", 3: "#b91c1c"}
LEVEL_KEYS = {-1: "none", 0: "green", 1: "yellow", 2: "orange", 3: "red"}
