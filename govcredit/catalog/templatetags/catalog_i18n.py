"""Template filters that show the catalog's names in the page's language (see ``catalog/i18n.py``)."""

from __future__ import annotations

from typing import Any

from django import template

from govcredit.catalog import i18n

register = template.Library()


@register.filter
def type_name(value: Any) -> str:
    """A type's name: from a RecordType, a RecordTypeVersion, a record, or a Chinese name."""
    if isinstance(value, str):
        return i18n.type_name_of(value)
    rtype = getattr(value, "record_type", value)
    return i18n.type_name(getattr(rtype, "code", ""), str(getattr(rtype, "name", value)))


@register.filter
def type_description(version: Any) -> str:
    return i18n.type_description(version.record_type.code, version.description)


@register.filter
def field_label(spec: dict[str, Any], code: str) -> str:
    """``{{ spec|field_label:rtype.code }}``: a field spec's label."""
    return i18n.field_label(code, spec.get("key", ""), spec.get("label", ""))


@register.filter
def term(value: Any) -> str:
    return i18n.term(str(value))
