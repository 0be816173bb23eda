"""Template filters that show the measures catalogue in the page's language (see ``sanctions/i18n.py``).

A measure or rule name without an English name is stored data: under ``/en/`` it is shown as stored,
marked ``translate="no"`` (docs/architecture.md, *English pages*)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from govcredit.catalog import i18n as catalog_i18n
from govcredit.catalog.models import SubjectKind
from govcredit.sanctions import i18n
from govcredit.sanctions.models import Ground, Purpose

register = template.Library()


def _name(english: str | None, name: str) -> SafeString:
    if not catalog_i18n.in_english():
        return escape(name)
    if english:
        return escape(english)
    return format_html('<span translate="no">{}</span>', name)


@register.filter
def measure_name(value: Any) -> SafeString:
    """``{{ m|measure_name }}`` for an applied measure, a measure version or a measure type (a code of no
    measure type is shown as it is)."""
    if isinstance(value, str):
        return escape(value)
    if hasattr(value, "measure_version"):
        value = value.measure_version
    measure_type = getattr(value, "measure_type", value)
    return _name(i18n.english_measure_name(measure_type.code), measure_type.name)


@register.filter
def rule_name(value: Any) -> SafeString:
    """``{{ r|rule_name }}`` for a rule or a rule version."""
    rule = getattr(value, "rule", value)
    return _name(i18n.english_rule_name(rule.code), rule.name)


def _joined(values: Iterable[str]) -> str:
    return gettext("、").join(values)


@register.filter
def purposes(values: Iterable[str]) -> str:
    """Participations (评先评优 …) as their labels in the page's language."""
    labels = dict(Purpose.choices)
    return _joined(str(labels.get(v, v)) for v in values)


@register.filter
def subject_kinds(values: Iterable[str]) -> str:
    labels = dict(SubjectKind.choices)
    return _joined(str(labels.get(v, v)) for v in values)


@register.filter
def type_names(codes: Iterable[str]) -> str:
    """Record type codes as the types' names in the page's language."""
    return _joined(catalog_i18n.type_name_by_code(c) for c in codes)


@register.filter
def terms(values: Iterable[str]) -> str:
    """Catalog terms (severities) in the page's language."""
    return _joined(catalog_i18n.term(v) for v in values)


@register.filter
def grounds(values: Iterable[str]) -> str:
    """A fault-tolerance application's grounds as their labels in the page's language."""
    labels = dict(Ground.choices)
    return _joined(str(labels.get(v, v)) for v in values)

