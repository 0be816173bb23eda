"""The pure rules: ratios without a denominator, and levels exactly at each line (both sides)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from govcredit.indicators.levels import assess, ratio
from govcredit.indicators.models import Direction, Level


@dataclass
class Lines:
    direction: str
    yellow: Decimal | None
    orange: Decimal | None
    red: Decimal | None


DEBT = Lines(Direction.UP, Decimal(120), Decimal(200), Decimal(300))
ON_TIME = Lines(Direction.DOWN, Decimal(95), Decimal(90), Decimal(80))
TINY = Decimal("0.0001")


@pytest.mark.parametrize(("num", "den", "reason"), [
    (5, 0, "分母为零"), (5, None, "分母缺失"), (None, 3, "分子缺失"), (Decimal(0), Decimal(0), "分母为零"),
    (1, -2, "分母为负数"),
])
def test_a_ratio_without_a_usable_denominator_has_no_value_and_says_why(num: int | None, den: int | None,
                                                                        reason: str) -> None:
    r = ratio(num, den)
    assert r.value is None
    assert r.reason == reason


def test_a_ratio_is_a_finite_decimal() -> None:
    assert ratio(1, 3).value == Decimal("33.3333")
    assert ratio(3, 300, per=100).value == Decimal("1.0000")
    assert ratio(0, 7).value == Decimal(0)


@pytest.mark.parametrize(("line", "level_at", "level_below"), [
    (Decimal(120), Level.YELLOW, Level.GREEN), (Decimal(200), Level.ORANGE, Level.YELLOW),
    (Decimal(300), Level.RED, Level.ORANGE),
])
def test_upward_lines_exactly_at_and_just_below(line: Decimal, level_at: Level, level_below: Level) -> None:
    at, below = assess(line, DEBT), assess(line - TINY, DEBT)
    assert at is not None and at.level == level_at and at.line == line
    assert below is not None and below.level == level_below


@pytest.mark.parametrize(("line", "level_below", "level_at"), [
    (Decimal(95), Level.YELLOW, Level.GREEN), (Decimal(90), Level.ORANGE, Level.YELLOW),
    (Decimal(80), Level.RED, Level.ORANGE),
])
def test_downward_lines_exactly_at_and_just_below(line: Decimal, level_below: Level, level_at: Level) -> None:
    at, below = assess(line, ON_TIME), assess(line - TINY, ON_TIME)
    assert at is not None and at.level == level_at
    assert below is not None and below.level == level_below and below.line == line


def test_no_value_has_no_level_and_missing_lines_are_skipped() -> None:
    assert assess(None, DEBT) is None
    only_red = Lines(Direction.UP, None, None, Decimal(10))
    below, at = assess(Decimal(9), only_red), assess(Decimal(10), only_red)
    assert below is not None and below.level == Level.GREEN
    assert at is not None and at.level == Level.RED


def test_the_same_value_and_lines_always_give_the_same_level() -> None:
    values = [Decimal(v) for v in ("0", "119.9999", "120", "150", "200", "299.9999", "300", "1000")]
    first = [assess(v, DEBT) for v in values]
    assert [assess(v, DEBT) for v in values] == first
