"""What the apps show on the home page (工作台), registered from their ``apps.py`` ``ready()``.

The home page is ``core``'s, but what it counts and lists belongs to the apps above it, which ``core``
may not import: each app registers a :class:`HomeTile` with its counts for the top row and, if it
has one, a section below them (a template and the context it needs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Count:
    """One figure in the home page's top row; with a ``url``, a link to the list behind it (a to-do).

    An app registers a count only for users who may open its ``url`` (core/tests/test_menu.py follows
    every count's link for every role)."""

    label: str
    value: int
    element_id: str = ""  # an id for the figure's element, where a test or a script finds it
    url: str = ""


@dataclass(frozen=True)
class HomeTile:
    """An app's part of the home page: ``order`` places it among the others (counts and sections alike).

    ``counts(request)`` gives the figures for the top row; ``template``, rendered with
    ``context(request)``, is a section below them. The request's user has logged in; each function
    shows only what that user may see. ``shown(request)``, when given, leaves the whole tile out for
    users whose role may not use the pages it links to (ask ``accounts/access.py``).
    """

    order: int
    counts: Callable[[HttpRequest], Sequence[Count]] | None = None
    template: str = ""
    context: Callable[[HttpRequest], dict[str, Any]] | None = None
    shown: Callable[[HttpRequest], bool] | None = None


_TILES: dict[str, HomeTile] = {}


def register_home_tile(key: str, tile: HomeTile) -> None:
    """Add (or, called again under the same key, replace) an app's part of the home page."""
    _TILES[key] = tile


def home_tiles() -> list[HomeTile]:
    return sorted(_TILES.values(), key=lambda tile: tile.order)


def home_context(request: HttpRequest) -> dict[str, Any]:
    """The figures of the top row and the rendered sections, in the tiles' order."""
    tiles = [tile for tile in home_tiles() if tile.shown is None or tile.shown(request)]
    counts = [count for tile in tiles if tile.counts for count in tile.counts(request)]
    sections: list[SafeString] = [
        render_to_string(tile.template, tile.context(request) if tile.context else {}, request=request)
        for tile in tiles if tile.template
    ]
    return {"counts": counts, "sections": sections}
