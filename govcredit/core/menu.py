"""The site frame's menu, registered item by item from the apps' ``apps.py`` ``ready()``.

``core`` draws the frame but may not import the apps whose pages the menu links to, nor the access
policy (``accounts/access.py``): each app registers a :class:`MenuItem` for each of its pages that
belongs in the menu, with a predicate that asks the access policy whether a user may use it. The
frame (``base.html``, through :func:`menu_context`) shows a user only the items whose predicate
accepts them, so no role is offered a page that would refuse it (``core/tests/test_menu.py`` walks
every item of every role).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuItem:
    """One link of the staff menu.

    ``label`` is a lazy translation (``gettext_lazy``) so the menu follows the page's language;
    ``url_name`` a URL name without arguments; ``allowed(user)`` is true when the user's role may use
    the page (ask ``accounts/access.py``); ``order`` places the item among all others.
    """

    label: str | Promise
    url_name: str
    allowed: Callable[[Any], bool]
    order: int


@dataclass(frozen=True)
class MenuLink:
    """A menu item as the frame draws it for one request."""

    key: str
    label: str
    url: str
    current: bool


_ITEMS: dict[str, MenuItem] = {}


def register_menu_item(key: str, item: MenuItem) -> None:
    """Add (or, called again under the same key, replace) a link of the menu."""
    _ITEMS[key] = item


def menu_items() -> list[tuple[str, MenuItem]]:
    """Every registered item, in menu order (tests walk them all)."""
    return sorted(_ITEMS.items(), key=lambda pair: (pair[1].order, pair[0]))


def menu_for(request: HttpRequest) -> list[MenuLink]:
    """The links the request's user may use; none for a visitor who has not logged in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    links = []
    for key, item in menu_items():
        if not item.allowed(user):
            continue
        url = reverse(item.url_name)
        links.append(MenuLink(key, str(item.label), url, request.path.startswith(url) if url != "/" else
                              request.path == url))
    return links


def menu_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor (``settings.TEMPLATES``): ``menu`` for the frame."""
    return {"menu": menu_for(request)}
