"""``{{ value|data }}``: a data value marked ``translate="no"`` (docs/architecture.md, *English pages*), for a
translated sentence that contains data: ``{% blocktranslate with name=record.subject_label|data %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def data(value: Any) -> SafeString:
    return format_html('<span translate="no">{}</span>', value)
