"""``?lang=en`` for the API: machine clients choose the language of names, labels and messages.

Pages take their language from the URL (``/en/...``). Django's ``LocaleMiddleware`` gives every URL
outside ``i18n_patterns`` the default language (Chinese); this middleware, placed right after it, gives
the API (``/api/...``) the language of a ``lang`` query parameter, else of the ``Accept-Language``
header (or the language cookie a browser carries). Stored values (statuses, choices, record
contents) stay as stored; only what the API says about them follows the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ApiLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        wanted = request.GET.get("lang", "")
        try:
            code = translation.get_supported_language_variant(wanted) if wanted else ""
        except LookupError:  # a language the site does not have: the header's choice stands
            code = ""
        code = code or translation.get_language_from_request(request)
        if code not in self.codes:
            return self.get_response(request)
        with translation.override(code):
            request.LANGUAGE_CODE = code
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", code)
            return response
