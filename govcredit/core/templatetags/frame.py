"""Tags of the site's two frames (``base.html`` for staff, ``public_base.html`` for the public)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, override

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in the page's language ("Chinese" on an English page)
    autonym: str  # in its own language ("简体中文"): a proper name, shown marked translate="no"
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """The current page in each language, as plain links: a public page holds no CSRF token or session
    (its whole rendering may be cached and served to everyone), so the switch cannot be a POST form."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        with override(code):
            autonym = str(name)
        links.append(LanguageLink(code, str(name), autonym, translate_url(path, code), code == current))
    return links
