"""The one base class of the errors a domain rule raises, and how pages and the API answer them.

A service refuses an act by raising a :class:`DomainError` (or a subclass) whose message is written for
people, in Chinese. Nobody maps it by hand: the API answers it once, in its exception handler
(``api/errors.py``: 422 with the message, 409 for a :class:`Conflict`), and pages once, in
:class:`DomainErrorMiddleware` (the message in the site frame, 400, or 409 for a :class:`Conflict`). A
view that wants the message beside a form field still catches the error and adds it to the form; what
it does not catch is answered here, never as a server error.

Django's own ``ValidationError`` stays what forms and model validation raise (the API answers it with 422
and the fields it names); a domain error is the refusal of a rule that is not a form field's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the domain refused the act; ``str(error)`` is the message for people.

    ``status`` is the HTTP status of the refusal in the API (422: the input cannot be accepted),
    ``page_status`` on pages (400). ``field`` names the input the refusal is about, when it is one.
    """

    status = 422
    page_status = 400
    field = ""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """The act contradicts the current state (a duplicate, a key reused, a batch already running): 409."""

    status = 409
    page_status = 409


class DomainErrorMiddleware:
    """Answer a :class:`DomainError` a view lets through with its message in the site frame."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        title = _("与现有数据冲突") if isinstance(exception, Conflict) else _("无法办理")
        return render(request, "error.html", {"title": title, "message": str(exception)},
                      status=exception.page_status)
