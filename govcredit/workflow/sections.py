"""Sections other apps add to the inbox page, below the cases: what waits for the user that is no case of
the engine (the measures running against a subject, with their end dates). Registered from the apps'
``ready()``, like the subject pages' panels; a section whose ``context`` returns None is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class InboxSection:
    order: int
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]


_SECTIONS: dict[str, InboxSection] = {}


def register_inbox_section(key: str, section: InboxSection) -> None:
    """Add (or, under the same key, replace) an app's section of the inbox page."""
    _SECTIONS[key] = section


def render_sections(request: HttpRequest) -> list[SafeString]:
    out = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        context = section.context(request)
        if context is not None:
            out.append(render_to_string(section.template, context, request=request))
    return out
