"""Sections that higher apps add to a subject's page (an organisation's or a civil servant's), registered
from their ``apps.py`` ``ready()``: ``subjects`` shows the archive's timeline, and later the
obligations or warnings of a subject, without importing the apps that hold them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class SubjectPanel:
    """A section of the subject pages, placed by ``order`` below the subject's own fields.

    ``context(request, subject)`` gets the subject as the keyword the archive filters by
    (``{"subject_org": org}`` or ``{"subject_person": person}``) and shows only what the request's user
    may see; ``template`` is rendered with what it returns.
    """

    order: int
    template: str
    context: Callable[[HttpRequest, dict[str, Any]], dict[str, Any]]


_PANELS: dict[str, SubjectPanel] = {}


def register_subject_panel(key: str, panel: SubjectPanel) -> None:
    """Add (or, called again under the same key, replace) an app's section of the subject pages."""
    _PANELS[key] = panel


def render_panels(request: HttpRequest, **subject: Any) -> list[SafeString]:
    """Every registered section for this subject, in order."""
    return [render_to_string(panel.template, panel.context(request, subject), request=request)
            for panel in sorted(_PANELS.values(), key=lambda panel: panel.order)]
