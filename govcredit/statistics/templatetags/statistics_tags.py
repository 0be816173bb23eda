"""Rates as percentages in templates: 0.956 → “95.6%”, None → “—”."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def rate_class(value: float | None) -> str:
    """``ok`` at 100%, ``bad`` below it, nothing when there is no figure."""
    if value is None:
        return ""
    return "ok" if value >= 1 else "bad"
